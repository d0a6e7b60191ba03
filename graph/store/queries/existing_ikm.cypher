UNWIND $keys AS key
MATCH (i:IKM {ikm_id: key[0]})-[:LOCATED_IN]->(k:Kelurahan)
RETURN i {.*, kelurahan_code: k.code} AS record
