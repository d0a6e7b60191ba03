// Whether a batch id is taken (a new id is drawn until it is not).
OPTIONAL MATCH (b:Batch {batch_id: $batch_id})
RETURN b IS NOT NULL AS taken
