// The (learner, teacher, skill) of $keys that exist, each with its earliest date (a copy
// stored twice, a broken invariant, counts once) as a yyyymmdd integer, as lists: what a
// kept snapshot reads again of the teachings that writes touched.
UNWIND $keys AS key
MATCH (learner:IKM {ikm_id: key[0]})-[r:TAUGHT_BY {skill: key[2]}]->(teacher:IKM {ikm_id: key[1]})
WITH key, min(r.date.year * 10000 + r.date.month * 100 + r.date.day) AS day
RETURN collect(key[0]) AS learners, collect(key[1]) AS teachers, collect(key[2]) AS skills, collect(day) AS days
