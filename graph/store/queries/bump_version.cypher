// Every write transaction moves the store's version on, so that cached answers expire
// (the epoch: see version.cypher).
MERGE (m:TularMeta {id: 'version'})
ON CREATE SET m.epoch = randomUUID()
SET m.value = coalesce(m.value, 0) + 1
