// Edges of one skill up to the as-of date, with each end's kelurahan. One edge per (learner,
// teacher): a teaching stored more than once (a broken invariant, SPEC §3: Neo4j Community
// cannot make a relationship unique) counts once, as its earliest copy (ties: by source, then
// note), as the importer keeps the earliest date of a repeated teaching.
MATCH (learner:IKM)-[r:TAUGHT_BY {skill: $skill}]->(teacher:IKM)
WHERE $as_of IS NULL OR r.date <= $as_of
WITH learner, teacher, collect(r) AS copies
WITH learner, teacher, reduce(first = head(copies), c IN tail(copies) |
       CASE WHEN c.date < first.date
                 OR (c.date = first.date AND coalesce(c.source, '') < coalesce(first.source, ''))
                 OR (c.date = first.date AND coalesce(c.source, '') = coalesce(first.source, '')
                     AND coalesce(c.note, '') < coalesce(first.note, ''))
            THEN c ELSE first END) AS r
MATCH (teacher)-[:LOCATED_IN]->(tk:Kelurahan)
MATCH (learner)-[:LOCATED_IN]->(lk:Kelurahan)
RETURN teacher.ikm_id AS teacher, learner.ikm_id AS learner, r.date AS date, r.source AS source,
       r.note AS note, tk.code AS teacher_kelurahan, lk.code AS learner_kelurahan
