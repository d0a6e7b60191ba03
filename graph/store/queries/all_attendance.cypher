MATCH (i:IKM)-[a:ATTENDED]->(t:Training)
RETURN t.training_id AS training_id, i.ikm_id AS ikm_id, a.completed AS completed
ORDER BY training_id, ikm_id
