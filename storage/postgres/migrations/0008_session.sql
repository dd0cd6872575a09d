-- Sessions (session.Session). The whole session is one JSON document in
-- doc; the columns beside it are copies for indexing and the version used
-- for compare-and-set: UPDATE ... WHERE id = $1 AND version = $2.
CREATE TABLE sessions (
    id        text PRIMARY KEY,
    version   bigint      NOT NULL,
    client    text        NOT NULL,
    state     text        NOT NULL,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    doc       jsonb       NOT NULL
);
CREATE INDEX sessions_client_idx ON sessions (client, opened_at);
CREATE INDEX sessions_closed_idx ON sessions (closed_at) WHERE closed_at IS NOT NULL;
