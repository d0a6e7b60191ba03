UNWIND $rows AS row
MATCH (c:Kecamatan {code: row.kecamatan_code})
MERGE (k:Kelurahan {code: row.code})
SET k.name = row.name, k.aliases = row.aliases
WITH k, c
OPTIONAL MATCH (k)-[old:PART_OF]->(other:Kecamatan)
WHERE other <> c
DELETE old
MERGE (k)-[:PART_OF]->(c)
