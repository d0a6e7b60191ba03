MATCH (i:IKM)-[a:ATTENDED]->(t:Training)-[:TEACHES]->(:Skill {skill_id: $skill})
WHERE a.completed AND ($as_of IS NULL OR t.end_date <= $as_of)
RETURN i.ikm_id AS ikm_id, t.training_id AS training_id, t.end_date AS end_date, t.budget_idr AS budget_idr
ORDER BY ikm_id, end_date, training_id
