// One breadth-first step of the cascades of several skills at once: the learners of a
// frontier of [skill, teacher id] pairs, one row per skill. The caller keeps the visited
// sets, so every edge is expanded once: linear in the graph, one round trip a generation.
// INDEX SEEK: with a plain USING INDEX (or none) the planner sometimes (about one fresh
// database in eight) looks each teacher up by a scan of the whole ikm_id index, or takes the
// edges from the TAUGHT_BY index of the skill: a step then costs a second, not 30 ms.
// toString: an element of a list parameter has no type the planner can seek with. No label
// on the learner: only IKM are taught, and checking it costs a third of the step.
UNWIND $frontier AS step
WITH step[0] AS skill, toString(step[1]) AS teacher_id
MATCH (teacher:IKM {ikm_id: teacher_id})
USING INDEX SEEK teacher:IKM(ikm_id)
MATCH (teacher)<-[r:TAUGHT_BY]-(learner)
WHERE r.skill = skill AND r.date <= $as_of
RETURN skill, collect(DISTINCT learner.ikm_id) AS learners
