MATCH (s:Skill)
RETURN s.skill_id AS skill_id, s.name_id AS name_id, s.name_en AS name_en, coalesce(s.aliases, []) AS aliases
ORDER BY skill_id
