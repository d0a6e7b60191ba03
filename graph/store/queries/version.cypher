// The store's version: a counter that every write moves on, under a random epoch drawn when
// the counter is (re)created, so that a wiped and refilled database never repeats a
// version that caches hold answers for. A "restore in progress" mark (mark_restore.cypher),
// written outside the write transaction, moves it too.
OPTIONAL MATCH (m:TularMeta {id: 'version'})
OPTIONAL MATCH (r:TularMeta {id: 'restore'})
// After the counter, behind a '/', the counter's value at the last write that may have changed
// a store-wide lookup (bump_version.cypher).
RETURN coalesce(m.epoch, '') + ':' + toString(coalesce(m.value, 0)) + '/' + toString(coalesce(m.lookups, 0))
       + coalesce(':restoring:' + r.since, '') AS version
