// Every attendance, as existing_attendance returns them.
MATCH (i:IKM)-[a:ATTENDED]->(t:Training)
RETURN {training_id: t.training_id, ikm_id: i.ikm_id, completed: a.completed} AS record
