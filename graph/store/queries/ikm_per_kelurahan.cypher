MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
RETURN k.code AS code, count(i) AS ikm
