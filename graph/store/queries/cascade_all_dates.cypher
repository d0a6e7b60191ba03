// One step of the walk of a skill's cascade for every as-of date at once (see
// engine.reach_days): teachers given by node id, each with the day (yyyymmdd) from which it
// is within g teaching steps of a seed; for each of their learners, by node id, the day from
// which it is within g + 1 steps through them — per teaching the later of the teacher's day
// and the teaching's date, the earliest of those. The caller keeps every node's day and sends
// the next step only the nodes that came nearer. Dates as yyyymmdd integers, as the snapshot
// reads them; no label on the learner (only IKM are taught).
UNWIND range(0, size($frontier) - 1) AS i
MATCH (teacher) WHERE id(teacher) = $frontier[i]
MATCH (teacher)<-[r:TAUGHT_BY]-(learner)
WHERE r.skill = $skill
WITH learner, $days[i] AS since, r.date.year * 10000 + r.date.month * 100 + r.date.day AS taught
WITH id(learner) AS learner, min(CASE WHEN taught > since THEN taught ELSE since END) AS day
RETURN collect(learner) AS learners, collect(day) AS days
