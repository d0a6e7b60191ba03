// One skill's teaching graph at all dates, as columns: lists, not rows, because the driver
// spends far more on a row than on an element of a list. With the completed attendances
// at the skill's trainings (the seeds, whatever the as-of date: the snapshot keeps them
// sorted by date and cuts at the date asked). Dates as yyyymmdd integers: cheaper to
// decode than dates. No labels on the ends of TAUGHT_BY: only IKM teach and learn, and
// checking costs time. One skill a query, as a parameter, and INDEX SEEK: without them the
// planner sometimes reads the edges from a scan of the whole TAUGHT_BY index (every
// skill's), once per skill.
CALL () {
  MATCH (learner)-[r:TAUGHT_BY {skill: $skill}]->(teacher)
  USING INDEX SEEK r:TAUGHT_BY(skill)
  RETURN collect(teacher.ikm_id) AS teachers, collect(learner.ikm_id) AS learners,
         collect(r.date.year * 10000 + r.date.month * 100 + r.date.day) AS days
}
CALL () {
  MATCH (i:IKM)-[a:ATTENDED]->(t:Training)-[:TEACHES]->(:Skill {skill_id: $skill})
  WHERE a.completed
  RETURN collect(i.ikm_id) AS attendees, collect(t.training_id) AS trainings,
         collect(t.end_date.year * 10000 + t.end_date.month * 100 + t.end_date.day) AS ended
}
RETURN teachers, learners, days, attendees, trainings, ended
