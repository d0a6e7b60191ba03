// The store-wide write lease (SPEC §3): taken when nobody holds it or the holder's lease
// ran out (a writer that died). The SET first takes the node's write lock, so that two
// writers asking at once are served one after the other and only one gets it. Short: a
// writer waiting for the lease asks again, and gives up after a few seconds.
MERGE (l:TularMeta {id: 'write_lease'})
SET l.asked = timestamp()
WITH l, timestamp() AS now
WITH l, now, (l.holder IS NULL OR l.until < now) AS free
SET l.holder = CASE WHEN free THEN $token ELSE l.holder END,
    l.until = CASE WHEN free THEN now + $lease_ms ELSE l.until END,
    l.who = CASE WHEN free THEN $who ELSE l.who END,
    l.since = CASE WHEN free THEN now ELSE l.since END
RETURN free AS taken, l.who AS who, now - l.since AS held_ms
