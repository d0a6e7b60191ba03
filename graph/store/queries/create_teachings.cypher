// TAUGHT_BY edges not stored yet (the write has looked, in this transaction). Rows as in
// create_ikm: lists, dates as ISO text.
UNWIND $rows AS row
WITH row[0] AS learner_id, row[1] AS teacher_id, row[2] AS skill, date(row[3]) AS date, row[4] AS source,
     row[5] AS note, row[6] AS submission_id
MATCH (:Skill {skill_id: skill})
MATCH (learner:IKM {ikm_id: learner_id})
MATCH (teacher:IKM {ikm_id: teacher_id})
CREATE (learner)-[:TAUGHT_BY {skill: skill, date: date, source: source, note: note, submission_id: submission_id}]->(teacher)
RETURN count(*) AS written
