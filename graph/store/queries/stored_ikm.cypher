// Every IKM, as existing_ikm returns them: for a write that asks for most of them.
MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
RETURN i {.*, kelurahan_code: k.code} AS record
