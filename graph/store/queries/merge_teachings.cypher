// Sets each (learner, teacher, skill) edge, which exists, to exactly the given date, source,
// note and submission_id; new edges go through create_teachings. Not a MERGE: for a MERGE the
// planner scans the TAUGHT_BY index on skill once per row, and no hint can steer a MERGE.
UNWIND $rows AS row
MATCH (learner:IKM {ikm_id: row.learner_id})-[r:TAUGHT_BY]->(teacher:IKM {ikm_id: row.teacher_id})
USING INDEX learner:IKM(ikm_id)
USING INDEX teacher:IKM(ikm_id)
WHERE r.skill = row.skill
SET r.date = row.date, r.source = row.source, r.note = row.note, r.submission_id = row.submission_id
RETURN count(*) AS written
