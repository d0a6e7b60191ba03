// The last step of a restore in one transaction: the skills, kelurahan and kecamatan that the
// restored content does not list, and whatever is not tular's (a node without one of its
// labels, a relationship of another type: a hand edit in Neo4j Browser).
CALL () {
  MATCH (s:Skill)
  WHERE NOT s.skill_id IN $skills
  DETACH DELETE s
}
CALL () {
  MATCH (k:Kelurahan)
  WHERE NOT k.code IN $kelurahan
  DETACH DELETE k
}
CALL () {
  MATCH (c:Kecamatan)
  WHERE NOT c.code IN $kecamatan
  DETACH DELETE c
}
CALL () {
  MATCH ()-[r]->()
  WHERE NOT type(r) IN $relationship_types
  DELETE r
}
CALL () {
  MATCH (n)
  WHERE none(label IN labels(n) WHERE label IN $labels)
  DETACH DELETE n
}
