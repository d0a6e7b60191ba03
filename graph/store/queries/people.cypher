// Name and kelurahan of each of $ids that exists, as lists (the driver spends far more on a
// row than on an element of a list: a broken-chains answer names hundreds of thousands).
UNWIND $ids AS id
MATCH (i:IKM {ikm_id: id})-[:LOCATED_IN]->(k:Kelurahan)
RETURN collect(i.ikm_id) AS ids, collect(i.name) AS names, collect(k.code) AS kelurahan
