UNWIND $keys AS key
MATCH (i:IKM {ikm_id: key[1]})-[a:ATTENDED]->(t:Training {training_id: key[0]})
RETURN {training_id: t.training_id, ikm_id: i.ikm_id, completed: a.completed} AS record
