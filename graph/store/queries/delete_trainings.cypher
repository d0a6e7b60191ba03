UNWIND $keys AS key
MATCH (t:Training {training_id: key[0]})
DETACH DELETE t
