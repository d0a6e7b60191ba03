// IKM per kelurahan, read from the degree of each kelurahan (only IKM are LOCATED_IN one):
// a count per kelurahan, not a walk over every IKM.
MATCH (k:Kelurahan)
WITH k, COUNT { (k)<-[:LOCATED_IN]-() } AS ikm
WHERE ikm > 0
RETURN k.code AS code, ikm
