// Sets value and note of each ACHIEVED edge, which exists; new ones go through create_outcomes.
UNWIND $rows AS row
MATCH (i:IKM {ikm_id: row.ikm_id})-[r:ACHIEVED]->(:Outcome {kind: row.kind})
WHERE r.date = row.date AND coalesce(r.skill, '') = coalesce(row.skill, '')
SET r.value = row.value, r.note = row.note
RETURN count(*) AS written
