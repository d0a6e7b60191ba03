// Replace the logged changes of batches (an erasure rewrites the earlier versions they keep).
UNWIND $rows AS row
MATCH (b:Batch {batch_id: row.batch_id})
SET b.changes = row.changes
