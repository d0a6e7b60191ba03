// Every write transaction moves the store's version on, so that cached answers expire
// (the epoch: see version.cypher); one that may change a store-wide lookup ($lookups: the
// trainings, populations, the IKM) moves its second part on too.
MERGE (m:TularMeta {id: 'version'})
ON CREATE SET m.epoch = randomUUID()
SET m.value = coalesce(m.value, 0) + 1
SET m.lookups = CASE WHEN $lookups OR m.lookups IS NULL THEN m.value ELSE m.lookups END
