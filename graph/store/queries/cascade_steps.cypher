// Up to 32 generations of the cascades of several skills in one step, from a small
// frontier of [skill, teacher id] pairs: per skill, every IKM within 32 teaching steps and
// the fewest steps to it. Without it a long thin chain costs a round trip per generation;
// per frontier IKM it is one breadth-first search (SHORTEST), never an enumeration of paths.
// The caller sends only small frontiers: the searches of its IKM may overlap. toString and
// INDEX SEEK as in cascade_step.cypher; the CALL binds the teacher first (written as one
// MATCH, the planner pairs the teacher with every node).
UNWIND $frontier AS step
WITH step[0] AS skill, toString(step[1]) AS teacher_id
MATCH (teacher:IKM {ikm_id: teacher_id})
USING INDEX SEEK teacher:IKM(ikm_id)
CALL (teacher, skill) {
  MATCH p = ANY SHORTEST (teacher)(()<-[r:TAUGHT_BY]-() WHERE r.skill = skill AND r.date <= $as_of){1,32}(learner)
  RETURN learner, length(p) AS hops
}
WITH skill, learner.ikm_id AS learner, min(hops) AS steps
RETURN skill, collect(learner) AS learners, collect(steps) AS steps
