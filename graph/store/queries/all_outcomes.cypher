MATCH (i:IKM)-[r:ACHIEVED]->(o:Outcome)
RETURN i.ikm_id AS ikm_id, o.kind AS kind, r.skill AS skill, r.date AS date, r.value AS value, r.note AS note
ORDER BY ikm_id, kind, coalesce(skill, ''), date
