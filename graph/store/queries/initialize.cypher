// Schema of a tular database: one statement per entry, each idempotent.
CREATE CONSTRAINT ikm_id IF NOT EXISTS FOR (n:IKM) REQUIRE n.ikm_id IS UNIQUE;
CREATE CONSTRAINT kelurahan_code IF NOT EXISTS FOR (n:Kelurahan) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT kecamatan_code IF NOT EXISTS FOR (n:Kecamatan) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT training_id IF NOT EXISTS FOR (n:Training) REQUIRE n.training_id IS UNIQUE;
CREATE CONSTRAINT skill_id IF NOT EXISTS FOR (n:Skill) REQUIRE n.skill_id IS UNIQUE;
CREATE INDEX taught_by_skill IF NOT EXISTS FOR ()-[r:TAUGHT_BY]-() ON (r.skill);
CREATE INDEX ikm_name IF NOT EXISTS FOR (n:IKM) ON (n.name);
CREATE CONSTRAINT batch_id IF NOT EXISTS FOR (n:Batch) REQUIRE n.batch_id IS UNIQUE;
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE;
CREATE CONSTRAINT outcome_kind IF NOT EXISTS FOR (n:Outcome) REQUIRE n.kind IS UNIQUE;
CREATE CONSTRAINT tular_meta_id IF NOT EXISTS FOR (n:TularMeta) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT erasure_ikm_id IF NOT EXISTS FOR (n:Erasure) REQUIRE n.ikm_id IS UNIQUE;
