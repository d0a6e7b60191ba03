// The IKM of $ids that exist, with the code of their kelurahan and their node id, as lists:
// what a kept snapshot reads again of the IKM that writes touched.
UNWIND $ids AS ikm_id
MATCH (i:IKM {ikm_id: ikm_id})-[:LOCATED_IN]->(k:Kelurahan)
RETURN collect(i.ikm_id) AS ids, collect(k.code) AS kelurahan, collect(id(i)) AS nodes
