// How many records of each kind a write may find already stored (from the count store).
CALL () { MATCH (n:IKM) RETURN count(n) AS ikm }
CALL () { MATCH (n:Training) RETURN count(n) AS trainings }
CALL () { MATCH ()-[r:ATTENDED]->() RETURN count(r) AS attendance }
CALL () { MATCH ()-[r:TAUGHT_BY]->() RETURN count(r) AS teachings }
CALL () { MATCH ()-[r:ACHIEVED]->() RETURN count(r) AS outcomes }
RETURN ikm, trainings, attendance, teachings, outcomes
