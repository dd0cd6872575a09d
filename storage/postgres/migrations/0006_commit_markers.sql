-- One row per committed change, written in the change's own transaction: when
-- the connection breaks while COMMIT is in flight, the store looks its marker
-- up to learn whether the change was made, instead of guessing. Rows older
-- than any outcome still in question are deleted by DB.PruneCommitMarkers.
CREATE TABLE carecontact_commits (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carecontact_commits_at_idx ON carecontact_commits (at);
