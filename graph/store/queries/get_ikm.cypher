MATCH (i:IKM {ikm_id: $ikm_id})-[:LOCATED_IN]->(k:Kelurahan)
RETURN i {.*, kelurahan_code: k.code} AS ikm
