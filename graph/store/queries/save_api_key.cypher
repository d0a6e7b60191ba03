MERGE (k:ApiKey {key_id: $key.key_id})
SET k += $key
