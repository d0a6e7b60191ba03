// Everything but tular's own bookkeeping (the version and the write lease, held by the
// writer that wipes), the erasure register (UU 27/2022: an erasure outlives a wipe) and,
// when asked, the API keys.
MATCH (n)
WHERE NOT n:TularMeta AND NOT n:Erasure AND NOT ($keep_keys AND n:ApiKey)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
