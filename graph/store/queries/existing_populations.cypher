UNWIND $keys AS key
MATCH (k:Kelurahan {code: key[0]})
WHERE k.population IS NOT NULL
RETURN {kelurahan_code: k.code, population: k.population} AS record
