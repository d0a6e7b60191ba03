// ACHIEVED edges not stored yet (the write has looked, in this transaction). Rows as lists:
// ikm_id, kind, skill (null: counts for every skill), date as ISO text, value, note.
UNWIND $rows AS row
WITH row[0] AS ikm_id, row[1] AS kind, row[2] AS skill, date(row[3]) AS date, row[4] AS value, row[5] AS note
MATCH (i:IKM {ikm_id: ikm_id})
MERGE (o:Outcome {kind: kind})
CREATE (i)-[:ACHIEVED {date: date, skill: skill, value: value, note: note}]->(o)
RETURN count(*) AS written
