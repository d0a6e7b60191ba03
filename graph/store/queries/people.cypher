// Name and kelurahan of each of $ids that exists, as lists (the driver spends far more on a
// row than on an element of a list: a broken-chains answer names hundreds of thousands).
// toString and INDEX SEEK: without them the planner may start from the few Kelurahan and
// go through all of their IKM for every id (minutes for 50,000 IKM in two kelurahan).
UNWIND $ids AS id
WITH toString(id) AS id
MATCH (i:IKM {ikm_id: id})
USING INDEX SEEK i:IKM(ikm_id)
MATCH (i)-[:LOCATED_IN]->(k:Kelurahan)
RETURN collect(i.ikm_id) AS ids, collect(i.name) AS names, collect(k.code) AS kelurahan
