// Every ACHIEVED edge, as existing_outcomes returns them.
MATCH (i:IKM)-[r:ACHIEVED]->(o:Outcome)
RETURN {ikm_id: i.ikm_id, kind: o.kind, skill: r.skill, date: r.date, value: r.value, note: r.note} AS record
