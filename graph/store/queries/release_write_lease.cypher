// The holder of the write lease lets it go.
MATCH (l:TularMeta {id: 'write_lease'})
WHERE l.holder = $token
SET l.holder = null, l.until = null, l.who = null, l.since = null
