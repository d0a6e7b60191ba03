// The erasure register: every erased ikm_id and the day of its erasure.
MATCH (e:Erasure)
RETURN e.ikm_id AS ikm_id, e.erased_at AS erased_at
ORDER BY ikm_id
