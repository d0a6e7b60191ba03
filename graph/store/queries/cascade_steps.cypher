// Up to 32 generations of a skill's cascade in one step, from a small frontier of teachers
// given by node id (as in cascade_step.cypher): every IKM within 32 teaching steps and the
// fewest steps to it, by node id. Without it a long thin chain costs a round trip per
// generation; per frontier IKM it is one breadth-first search (SHORTEST), never an
// enumeration of paths. The caller sends only small frontiers: the searches of its IKM may
// overlap. The CALL binds the teacher first (written as one MATCH, the planner pairs the
// teacher with every node).
UNWIND $frontier AS teacher_id
MATCH (teacher) WHERE id(teacher) = teacher_id
CALL (teacher) {
  MATCH p = ANY SHORTEST (teacher)(()<-[r:TAUGHT_BY]-() WHERE r.skill = $skill AND r.date <= $as_of){1,32}(learner)
  RETURN learner, length(p) AS hops
}
WITH id(learner) AS learner, min(hops) AS steps
RETURN collect(learner) AS learners, collect(steps) AS steps
