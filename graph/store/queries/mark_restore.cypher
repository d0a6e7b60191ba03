// Marks the store "restore in progress": committed on its own, before the wipe, by the
// restoring writer (which holds the write lease). Spared by wipe.cypher (a :TularMeta node);
// its existence is part of the version (version.cypher), so that caches expire with it.
MERGE (m:TularMeta {id: 'restore'})
SET m.safety_file = $mark.safety_file, m.backup = $mark.backup, m.who = $mark.who, m.since = $mark.since
