// The completed attendances at the trainings $trainings, per skill the training teaches, as
// lists (end dates as yyyymmdd integers): what a kept snapshot reads again of the trainings
// and attendances that writes touched.
UNWIND $trainings AS training_id
MATCH (i:IKM)-[a:ATTENDED]->(t:Training {training_id: training_id})-[:TEACHES]->(s:Skill)
WHERE a.completed
RETURN collect(s.skill_id) AS skills, collect(i.ikm_id) AS attendees, collect(t.training_id) AS trainings,
       collect(t.end_date.year * 10000 + t.end_date.month * 100 + t.end_date.day) AS ended
