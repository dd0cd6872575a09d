-- The chain holds a client actor's ID as its digest (audit.ActorDigest),
-- as it holds the client, so an erased client's own actions can be
-- pseudonymised too (actor_id replaced, pseudonymised set) and still
-- verify. Rows written before this migration have an empty actor_digest:
-- their actor_id is chained as it is and is never replaced.
ALTER TABLE audit_events ADD COLUMN actor_digest text NOT NULL DEFAULT '';
