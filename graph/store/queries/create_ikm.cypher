// IKM that are not stored yet (the write has looked, in this transaction; the ikm_id
// constraint refuses a duplicate). Rows are lists in the order of the WITH below (half the
// bytes of maps), dates ISO text. Returns how many found their kelurahan; the caller checks.
UNWIND $rows AS row
WITH row[0] AS ikm_id, row[1] AS name, row[2] AS kelurahan_code, row[3] AS business_name, row[4] AS sector,
     row[5] AS gender, row[6] AS phone, date(row[7]) AS joined_on
MATCH (k:Kelurahan {code: kelurahan_code})
CREATE (:IKM {ikm_id: ikm_id, name: name, business_name: business_name, sector: sector, gender: gender,
              phone: phone, joined_on: joined_on})-[:LOCATED_IN]->(k)
RETURN count(*) AS written
