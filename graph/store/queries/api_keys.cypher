MATCH (k:ApiKey)
WHERE $key_id IS NULL OR k.key_id = $key_id
RETURN k {.*} AS key
ORDER BY key.created_at, key.key_id
