// A browser session signed out (SPEC §7): every worker refuses its cookie from the next
// request on (session_key.cypher). Kept until the cookie would have expired anyway ($until,
// seconds since the epoch); the ones past that ($now) are dropped here. A :TularMeta node, so
// that a restore (which keeps the API keys) does not bring signed-out sessions back. Run in a
// transaction of its own: no write lease, no version.
MERGE (e:TularMeta {id: 'ended_session:' + $session_id})
SET e:TularEndedSession, e.until = $until
WITH count(*) AS written
MATCH (old:TularEndedSession)
WHERE old.until < $now
DETACH DELETE old
