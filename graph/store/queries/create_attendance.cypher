// Attendances not stored yet (the write has looked, in this transaction). Rows as in create_ikm.
UNWIND $rows AS row
WITH row[0] AS training_id, row[1] AS ikm_id, row[2] AS completed
MATCH (i:IKM {ikm_id: ikm_id})
MATCH (t:Training {training_id: training_id})
CREATE (i)-[:ATTENDED {completed: completed}]->(t)
RETURN count(*) AS written
