// Returns how many rows found their kelurahan; the caller rolls back if any did not.
UNWIND $rows AS row
MATCH (k:Kelurahan {code: row.kelurahan_code})
MERGE (i:IKM {ikm_id: row.ikm_id})
SET i.name = row.name, i.business_name = row.business_name, i.sector = row.sector,
    i.gender = row.gender, i.phone = row.phone, i.joined_on = row.joined_on
WITH i, k
OPTIONAL MATCH (i)-[old:LOCATED_IN]->(elsewhere:Kelurahan)
WHERE elsewhere <> k
DELETE old
MERGE (i)-[:LOCATED_IN]->(k)
RETURN count(DISTINCT i) AS written
