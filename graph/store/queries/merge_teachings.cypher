// Sets each (learner, teacher, skill) edge to exactly the given date, source and note.
UNWIND $rows AS row
MATCH (:Skill {skill_id: row.skill})
MATCH (learner:IKM {ikm_id: row.learner_id})
MATCH (teacher:IKM {ikm_id: row.teacher_id})
MERGE (learner)-[r:TAUGHT_BY {skill: row.skill}]->(teacher)
SET r.date = row.date, r.source = row.source, r.note = row.note
RETURN count(*) AS written
