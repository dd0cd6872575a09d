-- Work item updates without index writes. Every offer, answer and
-- completion rewrites a routing_items row; an update that changes no
-- indexed column can stay on the row's page as a heap-only tuple (HOT) and
-- writes no index entries, but an index on an expression over doc made
-- every update change an indexed value, and deadline and professional,
-- which change at every offer, were indexed for queries no code makes. So:
-- the two unused indexes go; the client that erasure looks items up by is
-- copied out of doc into a stored generated column (computed by the server
-- from doc, on old rows too) and indexed there, unchanged by an update of
-- the item's state; and the table's pages keep a third free (fillfactor),
-- room for the new versions of their rows. The column is added after the
-- fillfactor is set, so the table's rewrite packs its pages by it.
DROP INDEX IF EXISTS routing_items_deadline_idx;
DROP INDEX IF EXISTS routing_items_professional_idx;
ALTER TABLE routing_items SET (fillfactor = 70);
ALTER TABLE routing_items ADD COLUMN IF NOT EXISTS client text
    GENERATED ALWAYS AS (doc->'Contact'->>'Client') STORED;
CREATE INDEX IF NOT EXISTS routing_items_client_key ON routing_items (client);
DROP INDEX IF EXISTS routing_items_client_idx;
