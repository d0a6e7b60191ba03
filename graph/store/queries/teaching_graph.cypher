// Edges of one skill up to the as-of date, with each end's kelurahan.
MATCH (learner:IKM)-[r:TAUGHT_BY {skill: $skill}]->(teacher:IKM)
WHERE $as_of IS NULL OR r.date <= $as_of
MATCH (teacher)-[:LOCATED_IN]->(tk:Kelurahan)
MATCH (learner)-[:LOCATED_IN]->(lk:Kelurahan)
RETURN teacher.ikm_id AS teacher, learner.ikm_id AS learner, r.date AS date, r.source AS source,
       r.note AS note, tk.code AS teacher_kelurahan, lk.code AS learner_kelurahan
