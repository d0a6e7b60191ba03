MATCH (b:Batch {batch_id: $batch_id})
DELETE b
