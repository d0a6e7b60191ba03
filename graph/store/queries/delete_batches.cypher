// Batch log entries by id (a restore: those the backup does not hold).
UNWIND $batch_ids AS batch_id
MATCH (b:Batch {batch_id: batch_id})
DELETE b
