// One breadth-first step of a skill's cascade: the learners, as of $as_of, of a frontier
// of teachers given by node id (the metrics' snapshot keeps the node id of every IKM of
// its version, read with it), as node ids. The caller keeps the visited set, so every edge
// is expanded once: linear in the graph, one round trip a generation. By node id, not by
// ikm_id through its index: a seek by id reads one record, and the step costs half as much.
// No label on the learner and no DISTINCT: only IKM are taught, and the caller drops
// repeats for less than either costs here.
MATCH (teacher) WHERE id(teacher) IN $frontier
MATCH (teacher)<-[r:TAUGHT_BY]-(learner)
WHERE r.skill = $skill AND r.date <= $as_of
RETURN collect(id(learner)) AS learners
