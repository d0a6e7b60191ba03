// The hints make the planner start from the two IKM: left alone, it seeks the TAUGHT_BY
// index on skill and filters every edge of the skill, once per key.
UNWIND $keys AS key
MATCH (learner:IKM {ikm_id: key[0]})-[r:TAUGHT_BY]->(teacher:IKM {ikm_id: key[1]})
USING INDEX learner:IKM(ikm_id)
USING INDEX teacher:IKM(ikm_id)
WHERE r.skill = key[2]
RETURN {learner_id: learner.ikm_id, teacher_id: teacher.ikm_id, skill: r.skill, date: r.date,
        source: r.source, note: r.note, submission_id: r.submission_id} AS record
