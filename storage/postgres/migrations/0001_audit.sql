-- Audit trail: one row per audit.Event, written in the same transaction as
-- the change it describes. seq gives the recorded order.
CREATE TABLE audit_events (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text        NOT NULL UNIQUE,
    at          timestamptz NOT NULL,
    actor_kind  text        NOT NULL CHECK (actor_kind IN ('professional', 'client', 'system')),
    actor_id    text        NOT NULL,
    actor_role  text        NOT NULL DEFAULT '',
    action      text        NOT NULL,
    subject     text        NOT NULL,
    client      text        NOT NULL DEFAULT '',
    outcome     text        NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    detail      jsonb
);
-- Lookups by client (a client's own trail), subject, actor and time.
CREATE INDEX audit_events_client_idx  ON audit_events (client, seq) WHERE client <> '';
CREATE INDEX audit_events_subject_idx ON audit_events (subject, seq);
CREATE INDEX audit_events_actor_idx   ON audit_events (actor_id, seq);
CREATE INDEX audit_events_at_idx      ON audit_events (at);
