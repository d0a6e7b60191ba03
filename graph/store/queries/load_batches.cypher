// Batch log entries as they were in another store (restore).
UNWIND $rows AS row
MERGE (b:Batch {batch_id: row.batch_id})
SET b.seq = row.seq, b.created_at = row.created_at, b.who = row.who, b.files = row.files,
    b.counts = row.counts, b.changes = row.changes
