UNWIND $keys AS key
MATCH (k:Kelurahan {code: key[0]})
REMOVE k.population
