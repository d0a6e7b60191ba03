// The "restore in progress" mark (SPEC §3), if a restore too large for one transaction has
// begun and not completed.
MATCH (m:TularMeta {id: 'restore'})
RETURN m {.safety_file, .backup, .who, .since} AS mark
