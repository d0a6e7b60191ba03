// Every training, as existing_trainings returns them.
MATCH (t:Training)
OPTIONAL MATCH (t)-[:TEACHES]->(s:Skill)
WITH t, s ORDER BY s.skill_id
WITH t, collect(s.skill_id) AS skills
RETURN t {.*, skills: skills} AS record
