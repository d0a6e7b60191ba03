// Batches from $batch_id on (all of them when it is null), oldest first.
OPTIONAL MATCH (from:Batch {batch_id: $batch_id})
WITH from
WHERE $batch_id IS NULL OR from IS NOT NULL
MATCH (b:Batch)
WHERE from IS NULL OR b.seq >= from.seq
RETURN b {.batch_id, .seq, .created_at, .who, .files, .counts,
          changes: CASE WHEN $with_changes THEN b.changes ELSE '[]' END} AS batch
ORDER BY batch.seq
