MATCH (k:Kelurahan)
WHERE k.population IS NOT NULL
RETURN k.code AS code, k.population AS population
