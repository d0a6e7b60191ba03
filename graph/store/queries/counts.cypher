CALL () { MATCH (n:IKM) RETURN count(n) AS ikm }
CALL () { MATCH (n:Kelurahan) RETURN count(n) AS kelurahan }
CALL () { MATCH (n:Kecamatan) RETURN count(n) AS kecamatan }
CALL () { MATCH (n:Skill) RETURN count(n) AS skills }
CALL () { MATCH (n:Training) RETURN count(n) AS trainings }
CALL () { MATCH (:IKM)-[r:ATTENDED]->(:Training) RETURN count(r) AS attendance }
CALL () { MATCH (:IKM)-[r:TAUGHT_BY]->(:IKM) RETURN count(r) AS teachings }
CALL () { MATCH (:IKM)-[r:ACHIEVED]->(:Outcome) RETURN count(r) AS outcomes }
RETURN ikm, kelurahan, kecamatan, skills, trainings, attendance, teachings, outcomes
