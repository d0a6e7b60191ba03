UNWIND $keys AS key
MATCH (:IKM {ikm_id: key[1]})-[a:ATTENDED]->(:Training {training_id: key[0]})
DELETE a
