-- A tamper-evident audit trail (audit.Chain): the events of one subject
-- form a hash chain. stream_seq is an event's place in its subject's chain,
-- prev_hash and hash its link; client_digest is what the chain holds of the
-- client, so an erased client's events can be pseudonymised (client
-- replaced, pseudonymised set) and still verify. audit_heads keeps the last
-- link of each stream, so a deleted last event is detected too. Rows written
-- before this migration have no link (stream_seq NULL) and are reported as
-- unchained by Verify.
ALTER TABLE audit_events
    ADD COLUMN stream_seq    bigint,
    ADD COLUMN client_digest text    NOT NULL DEFAULT '',
    ADD COLUMN pseudonymised boolean NOT NULL DEFAULT false,
    ADD COLUMN prev_hash     bytea,
    ADD COLUMN hash          bytea;
CREATE TABLE audit_heads (
    stream text   PRIMARY KEY,
    seq    bigint NOT NULL,
    hash   bytea  NOT NULL
);
