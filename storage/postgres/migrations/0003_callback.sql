-- Callback requests. doc holds the callback.Record as JSON without the phone
-- number, which is kept in its own column (phone) and never in the document,
-- the audit trail or any index. open is copied out of the record's state;
-- the partial unique index allows one open request per client and errand,
-- so concurrent OpenOrJoin calls from any replicas make one request.
CREATE TABLE callback_requests (
    id           text PRIMARY KEY,
    client       text        NOT NULL,
    errand       text        NOT NULL,
    team         text        NOT NULL,
    open         boolean     NOT NULL,
    requested_at timestamptz NOT NULL,
    version      bigint      NOT NULL,
    phone        text        NOT NULL DEFAULT '',
    doc          jsonb       NOT NULL
);
CREATE UNIQUE INDEX callback_requests_open_key ON callback_requests (client, errand) WHERE open;
CREATE INDEX callback_requests_team_idx ON callback_requests (team, requested_at) WHERE open;
CREATE INDEX callback_requests_requested_idx ON callback_requests (requested_at, id);
