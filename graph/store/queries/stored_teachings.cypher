// Every TAUGHT_BY edge, as existing_teachings returns them.
MATCH (learner:IKM)-[r:TAUGHT_BY]->(teacher:IKM)
RETURN {learner_id: learner.ikm_id, teacher_id: teacher.ikm_id, skill: r.skill, date: r.date,
        source: r.source, note: r.note, submission_id: r.submission_id} AS record
