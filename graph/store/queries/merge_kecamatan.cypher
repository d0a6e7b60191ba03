UNWIND $rows AS row
MERGE (k:Kecamatan {code: row.code})
SET k.name = row.name
