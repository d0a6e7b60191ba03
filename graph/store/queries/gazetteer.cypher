MATCH (k:Kelurahan)-[:PART_OF]->(c:Kecamatan)
RETURN k.code AS code, k.name AS name, coalesce(k.aliases, []) AS aliases,
       c.code AS kecamatan_code, c.name AS kecamatan_name
