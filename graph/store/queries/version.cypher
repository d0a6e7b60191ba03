// The store's version: a counter that every write moves on, under a random epoch drawn when
// the counter is (re)created, so that a wiped and refilled database never repeats a
// version that caches hold answers for.
OPTIONAL MATCH (m:TularMeta {id: 'version'})
RETURN coalesce(m.epoch, '') + ':' + toString(coalesce(m.value, 0)) AS version
