OPTIONAL MATCH (m:TularMeta {id: 'version'})
RETURN coalesce(m.value, 0) AS version
