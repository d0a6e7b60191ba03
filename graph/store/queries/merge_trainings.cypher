// Returns how many (training, skill) pairs found their skill; the caller checks it.
UNWIND $rows AS row
MERGE (t:Training {training_id: row.training_id})
SET t.title = row.title, t.start_date = row.start_date, t.end_date = row.end_date,
    t.organizer = row.organizer, t.location = row.location, t.budget_idr = row.budget_idr,
    t.target_group = row.target_group
WITH t, row
OPTIONAL MATCH (t)-[old:TEACHES]->(:Skill)
DELETE old
WITH DISTINCT t, row
UNWIND row.skills AS skill_id
MATCH (s:Skill {skill_id: skill_id})
MERGE (t)-[:TEACHES]->(s)
RETURN count(*) AS written
