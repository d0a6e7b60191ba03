// Every IKM with the code of its kelurahan, as two lists (the driver spends far more on a
// row than on an element of a list): the node numbering of the metrics' snapshot.
MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
RETURN collect(i.ikm_id) AS ids, collect(k.code) AS kelurahan
