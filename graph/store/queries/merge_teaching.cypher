// One TAUGHT_BY per (learner, teacher, skill); a repeat keeps the earliest date and that row's source and note.
UNWIND $rows AS row
MATCH (:Skill {skill_id: row.skill})
MATCH (learner:IKM {ikm_id: row.learner_id})
MATCH (teacher:IKM {ikm_id: row.teacher_id})
MERGE (learner)-[r:TAUGHT_BY {skill: row.skill}]->(teacher)
ON CREATE SET r.date = row.date, r.source = row.source, r.note = row.note
WITH r, row, row.date < r.date AS earlier
SET r.date = CASE WHEN earlier THEN row.date ELSE r.date END,
    r.source = CASE WHEN earlier THEN row.source ELSE r.source END,
    r.note = CASE WHEN earlier THEN row.note ELSE r.note END
RETURN count(*) AS written
