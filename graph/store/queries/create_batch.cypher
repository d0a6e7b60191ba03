OPTIONAL MATCH (b:Batch)
WITH coalesce(max(b.seq), 0) + 1 AS seq
CREATE (:Batch {batch_id: $batch_id, seq: seq, created_at: $created_at, who: $who,
                files: $files, counts: $counts, changes: $changes})
