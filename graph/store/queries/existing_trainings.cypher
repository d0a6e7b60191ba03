UNWIND $keys AS key
MATCH (t:Training {training_id: key[0]})
OPTIONAL MATCH (t)-[:TEACHES]->(s:Skill)
WITH t, s ORDER BY s.skill_id
WITH t, collect(s.skill_id) AS skills
RETURN t {.*, skills: skills} AS record
