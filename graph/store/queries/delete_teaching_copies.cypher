// The TAUGHT_BY relationships with these element ids — the extra copies of a teaching that
// duplicate_teachings found in the same transaction — deleted; how many were.
UNWIND $ids AS id
MATCH ()-[r:TAUGHT_BY]->()
WHERE elementId(r) = id
DELETE r
RETURN count(*) AS deleted
