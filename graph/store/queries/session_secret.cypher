// The secret that signs the browsers' session cookies (SPEC §7): made by the first process
// that asks (MERGE on the unique :TularMeta id, so two workers starting at once get one),
// then read by every other. A :TularMeta node, so that wipe and restore leave it. Run in a
// transaction of its own: no write lease, no version.
MERGE (s:TularMeta {id: 'session_secret'})
ON CREATE SET s.value = $value
RETURN s.value AS value
