MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
RETURN i {.*, kelurahan_code: k.code} AS ikm
ORDER BY ikm.ikm_id
