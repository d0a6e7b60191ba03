// The naive baseline of SPEC §9: every seed's descendants by variable-length expansion.
UNWIND $seeds AS seed_id
MATCH (seed:IKM {ikm_id: seed_id})<-[rs:TAUGHT_BY*]-(learner:IKM)
WHERE all(r IN rs WHERE r.skill = $skill AND r.date <= $as_of)
RETURN DISTINCT learner.ikm_id AS learner
