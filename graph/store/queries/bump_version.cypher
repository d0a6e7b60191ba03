// Every write transaction moves the store's version on, so that cached answers expire.
MERGE (m:TularMeta {id: 'version'})
SET m.value = coalesce(m.value, 0) + 1
