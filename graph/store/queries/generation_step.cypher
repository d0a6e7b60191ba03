// One breadth-first step of the cascade: the learners of a frontier of teachers.
// The caller keeps the visited set, so every edge is expanded once: linear in the graph.
UNWIND $frontier AS teacher_id
MATCH (:IKM {ikm_id: teacher_id})<-[r:TAUGHT_BY {skill: $skill}]-(learner:IKM)
WHERE r.date <= $as_of
RETURN DISTINCT learner.ikm_id AS learner
