UNWIND $keys AS key
MATCH (:IKM {ikm_id: key[0]})-[r:TAUGHT_BY {skill: key[2]}]->(:IKM {ikm_id: key[1]})
DELETE r
