// The store's version: a counter that every write moves on, under a random epoch drawn when
// the counter is (re)created, so that a wiped and refilled database never repeats a
// version that caches hold answers for. A "restore in progress" mark (mark_restore.cypher),
// written outside the write transaction, moves it too.
OPTIONAL MATCH (m:TularMeta {id: 'version'})
OPTIONAL MATCH (r:TularMeta {id: 'restore'})
RETURN coalesce(m.epoch, '') + ':' + toString(coalesce(m.value, 0)) + coalesce(':restoring:' + r.since, '')
       AS version
