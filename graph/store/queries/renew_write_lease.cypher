// The holder of the write lease, still alive, keeps it for another lease period.
MATCH (l:TularMeta {id: 'write_lease'})
WHERE l.holder = $token
SET l.until = timestamp() + $lease_ms
RETURN count(l) AS renewed
