-- Guidance records (guidance.Record): one row per subject ("text/...",
-- "channels/<area>", ...) holding all of its versions and their workflow
-- steps as JSON. Every change is a compare-and-set on rev: an UPDATE ...
-- WHERE rev = <the revision read>, or an INSERT ... ON CONFLICT DO NOTHING
-- for a new subject, so of two replicas changing one subject at once exactly
-- one wins.
CREATE TABLE guidance_records (
    subject text   PRIMARY KEY,
    rev     bigint NOT NULL CHECK (rev > 0),
    doc     jsonb  NOT NULL
);
