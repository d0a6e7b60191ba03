// Every IKM with the code of its kelurahan and its node id, as lists (the driver spends far
// more on a row than on an element of a list): the node numbering of the metrics'
// snapshot. The node ids let the cascade steps seek the IKM directly; they hold for the
// version read with them (any write moves it on, and the snapshot is read again). A walk
// overlapping a write stays safe: Neo4j reuses the id of a deleted node only once every
// transaction open at the delete has ended, and an id the snapshot does not know is dropped.
MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
RETURN collect(i.ikm_id) AS ids, collect(k.code) AS kelurahan, collect(id(i)) AS nodes
