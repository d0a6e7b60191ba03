// One breadth-first step of the cascade: the learners of a frontier of teachers.
// The caller keeps the visited set, so every edge is expanded once: linear in the graph.
// The hint keeps the planner from scanning the skill's whole relationship index per step.
UNWIND $frontier AS teacher_id
MATCH (teacher:IKM {ikm_id: teacher_id})
USING INDEX teacher:IKM(ikm_id)
MATCH (teacher)<-[r:TAUGHT_BY {skill: $skill}]-(learner:IKM)
WHERE r.date <= $as_of
RETURN DISTINCT learner.ikm_id AS learner
