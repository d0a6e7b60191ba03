// Filters are optional: a null parameter means "any".
MATCH (i:IKM)-[:LOCATED_IN]->(k:Kelurahan)
WHERE ($kelurahan_code IS NULL OR k.code = $kelurahan_code)
  AND ($kelurahan_codes IS NULL OR k.code IN $kelurahan_codes)
  AND ($ikm_ids IS NULL OR i.ikm_id IN $ikm_ids)
  AND ($q IS NULL
       OR toLower(i.ikm_id) CONTAINS $q
       OR toLower(i.name) CONTAINS $q
       OR toLower(coalesce(i.business_name, '')) CONTAINS $q)
  AND ($skill IS NULL
       OR EXISTS { (i)-[:TAUGHT_BY {skill: $skill}]-(:IKM) }
       OR EXISTS { (i)-[:ATTENDED]->(:Training)-[:TEACHES]->(:Skill {skill_id: $skill}) })
WITH i, k ORDER BY i.ikm_id
WITH collect(i {.*, kelurahan_code: k.code}) AS matches
RETURN size(matches) AS total, matches[$offset..$offset + $limit] AS items
