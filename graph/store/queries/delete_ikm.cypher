UNWIND $keys AS key
MATCH (i:IKM {ikm_id: key[0]})
DETACH DELETE i
