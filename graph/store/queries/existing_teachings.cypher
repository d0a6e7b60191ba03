UNWIND $keys AS key
MATCH (learner:IKM {ikm_id: key[0]})-[r:TAUGHT_BY {skill: key[2]}]->(teacher:IKM {ikm_id: key[1]})
RETURN {learner_id: learner.ikm_id, teacher_id: teacher.ikm_id, skill: r.skill, date: r.date,
        source: r.source, note: r.note} AS record
