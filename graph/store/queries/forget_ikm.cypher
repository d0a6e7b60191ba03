// Erase an IKM's personal data, keeping the node and its relationships (tular forget).
// Returns nothing when there is no such IKM.
MATCH (i:IKM {ikm_id: $ikm_id})
SET i.name = $placeholder, i.business_name = null, i.phone = null
WITH i
OPTIONAL MATCH (i)-[t:TAUGHT_BY]-(:IKM)
WHERE t.note IS NOT NULL
SET t.note = null
RETURN i.ikm_id AS ikm_id, count(DISTINCT t) AS teachings
