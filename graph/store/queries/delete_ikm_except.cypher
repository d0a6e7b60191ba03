// Every IKM but $keep, with its relationships (a restore in one transaction: the IKM the new
// content does not hold). A scan, not a lookup by id per IKM: in a transaction that has
// deleted many IKM, each lookup by id pays for every one deleted before it.
MATCH (i:IKM)
WHERE NOT i.ikm_id IN $keep
DETACH DELETE i
