// Hinted as in existing_teachings: start from the two IKM, not from the index on skill.
UNWIND $keys AS key
MATCH (learner:IKM {ikm_id: key[0]})-[r:TAUGHT_BY]->(teacher:IKM {ikm_id: key[1]})
USING INDEX learner:IKM(ikm_id)
USING INDEX teacher:IKM(ikm_id)
WHERE r.skill = key[2]
DELETE r
