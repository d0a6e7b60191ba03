// Every (learner, teacher, skill) stored as more than one TAUGHT_BY relationship. SPEC §3
// allows one, and tular's writes never make a second, but Neo4j Community cannot make a
// relationship unique: a hand edit in Neo4j Browser or an older version may have. Each copy
// with its element id (valid within the transaction that reads it), date, source, note and
// submission_id.
MATCH (learner:IKM)-[r:TAUGHT_BY]->(teacher:IKM)
WITH learner, teacher, r.skill AS skill, collect(r) AS copies
WHERE size(copies) > 1
RETURN learner.ikm_id AS learner_id, teacher.ikm_id AS teacher_id, skill,
       [c IN copies | {id: elementId(c), date: c.date, source: c.source, note: c.note,
                       submission_id: c.submission_id}] AS copies
ORDER BY learner_id, teacher_id, skill
