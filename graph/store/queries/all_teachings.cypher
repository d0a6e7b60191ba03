MATCH (learner:IKM)-[r:TAUGHT_BY]->(teacher:IKM)
RETURN learner.ikm_id AS learner_id, teacher.ikm_id AS teacher_id, r.skill AS skill, r.date AS date,
       r.source AS source, r.note AS note, r.submission_id AS submission_id
ORDER BY learner_id, teacher_id, skill
