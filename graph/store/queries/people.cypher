UNWIND $ids AS id
MATCH (i:IKM {ikm_id: id})-[:LOCATED_IN]->(k:Kelurahan)
RETURN i.ikm_id AS ikm_id, i.name AS name, k.code AS kelurahan
