// $only_new: keep existing skills untouched (init) or overwrite them (skills add).
UNWIND $rows AS row
MERGE (s:Skill {skill_id: row.skill_id})
ON CREATE SET s.name_id = row.name_id, s.name_en = row.name_en, s.aliases = row.aliases
WITH s, row
WHERE NOT $only_new
SET s.name_id = row.name_id, s.name_en = row.name_en, s.aliases = row.aliases
