// The erasure register (UU 27/2022): ids only, with the day of the erasure; kept through
// wipe and restore (wipe.cypher spares it).
UNWIND $rows AS row
MERGE (e:Erasure {ikm_id: row.ikm_id})
ON CREATE SET e.erased_at = row.erased_at
