UNWIND $keys AS key
MATCH (:IKM {ikm_id: key[0]})-[r:ACHIEVED]->(:Outcome {kind: key[1]})
WHERE coalesce(r.skill, '') = key[2] AND r.date = date(key[3])
DELETE r
