-- Duplicate-demand contacts (channel.Contact). seq keeps insertion order for
-- oldest-first answers among contacts opened at the same instant. Admit,
-- Settle and Close of one client and errand are serialised by a
-- transaction-scoped advisory lock on (client, errand), so two replicas
-- admitting the same client's contacts at once see each other.
CREATE TABLE demand_contacts (
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    id         text PRIMARY KEY,
    client     text        NOT NULL,
    errand     text        NOT NULL,
    kind       text        NOT NULL,
    ref        text        NOT NULL DEFAULT '',
    opened_at  timestamptz NOT NULL,
    state      text        NOT NULL,
    linked_to  text        NOT NULL DEFAULT '',
    policy     text        NOT NULL DEFAULT '',
    duplicates integer     NOT NULL DEFAULT 0,
    closed_at  timestamptz
);
CREATE INDEX demand_contacts_pending_idx ON demand_contacts (client, errand, opened_at, seq) WHERE state = 'pending';
CREATE INDEX demand_contacts_opened_idx ON demand_contacts (opened_at);
