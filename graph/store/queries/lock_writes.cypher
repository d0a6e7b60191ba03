// First statement of every write transaction: the version node's write lock, held until
// the transaction ends, so that tular's writes run one at a time even if a lease ran out.
// The version itself moves on at the end (bump_version.cypher), when something was written.
MERGE (m:TularMeta {id: 'version'})
ON CREATE SET m.epoch = randomUUID(), m.value = 0
SET m.writer = $token
