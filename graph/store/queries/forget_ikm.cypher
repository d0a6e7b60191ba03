// Erase an IKM's personal data, keeping the node and its relationships (tular forget): its
// names and phone, and the free-text notes of its teaching events and outcomes.
// Returns nothing when there is no such IKM.
MATCH (i:IKM {ikm_id: $ikm_id})
SET i.name = $placeholder, i.business_name = null, i.phone = null
WITH i
CALL (i) {
  OPTIONAL MATCH (i)-[t:TAUGHT_BY]-(:IKM)
  WHERE t.note IS NOT NULL
  SET t.note = null
  RETURN count(DISTINCT t) AS teachings
}
CALL (i) {
  OPTIONAL MATCH (i)-[a:ACHIEVED]->(:Outcome)
  WHERE a.note IS NOT NULL
  SET a.note = null
  RETURN count(a) AS outcomes
}
RETURN i.ikm_id AS ikm_id, teachings, outcomes
