UNWIND $rows AS row
MATCH (k:Kelurahan {code: row.kelurahan_code})
SET k.population = row.population
RETURN count(*) AS written
