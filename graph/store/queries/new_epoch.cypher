// A new epoch for the store's version (version.cypher), drawn by a wipe and a restore: what
// processes keep in memory is then read again, never patched from the batch log across it.
MERGE (m:TularMeta {id: 'version'})
SET m.epoch = randomUUID()
