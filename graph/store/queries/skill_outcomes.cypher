// Outcomes that count for one skill (SPEC §10: its skill is $skill or blank) up to the
// as-of date, of one kind when $kind is given.
MATCH (i:IKM)-[r:ACHIEVED]->(o:Outcome)
WHERE (r.skill IS NULL OR r.skill = $skill) AND r.date <= $as_of AND ($kind IS NULL OR o.kind = $kind)
RETURN i.ikm_id AS ikm_id, o.kind AS kind, r.date AS date
ORDER BY ikm_id, date, kind
