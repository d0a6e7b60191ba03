// The key a browser session signed in with, read on every request of that session: none when
// the session was signed out (end_session.cypher) or the key was revoked or is gone. Two
// look-ups by unique id.
OPTIONAL MATCH (e:TularMeta {id: 'ended_session:' + $session_id})
OPTIONAL MATCH (k:ApiKey {key_id: $key_id})
WHERE e IS NULL AND k.revoked_at IS NULL
RETURN k {.*} AS key
