// The batch log as a snapshot of the metrics' graph sees it: the last seq and the count.
OPTIONAL MATCH (b:Batch)
RETURN coalesce(max(b.seq), 0) AS last, count(b) AS batches
