UNWIND $rows AS row
MATCH (i:IKM {ikm_id: row.ikm_id})
MATCH (t:Training {training_id: row.training_id})
MERGE (i)-[a:ATTENDED]->(t)
SET a.completed = row.completed
RETURN count(*) AS written
