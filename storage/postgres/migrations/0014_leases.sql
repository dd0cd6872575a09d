-- Leader leases. One row per lease name: the replica holding it (holder),
-- the term it holds it in (token, one greater on every takeover) and when
-- the term ends unless renewed, on the database's clock (now() + the
-- lease's length). A leader's decisions carry (name, token); the store
-- checks them in their own transaction under FOR SHARE on this row, so a
-- takeover (which updates the row) waits for decisions already checked
-- and every later one of the old term is refused.
CREATE TABLE carecontact_leases (
    name       text        PRIMARY KEY,
    holder     text        NOT NULL,
    token      bigint      NOT NULL CHECK (token > 0),
    expires_at timestamptz NOT NULL
);
