// keys: [ikm_id, kind, skill ('' for every skill), date as ISO text]
UNWIND $keys AS key
MATCH (i:IKM {ikm_id: key[0]})-[r:ACHIEVED]->(o:Outcome {kind: key[1]})
WHERE coalesce(r.skill, '') = key[2] AND r.date = date(key[3])
RETURN {ikm_id: i.ikm_id, kind: o.kind, skill: r.skill, date: r.date, value: r.value, note: r.note} AS record
