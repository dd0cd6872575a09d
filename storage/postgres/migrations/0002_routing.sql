-- Routing: professionals' dynamic state and the work items.
CREATE TABLE routing_professionals (
    id          text PRIMARY KEY,
    presence    integer     NOT NULL,
    cap_sync    integer     NOT NULL,
    cap_chat    integer     NOT NULL,
    cap_message integer     NOT NULL,
    -- load_* and wrap_ups can never go negative: a release below zero is a
    -- conflict, refused by the constraint.
    load_sync    integer NOT NULL DEFAULT 0 CHECK (load_sync >= 0),
    load_chat    integer NOT NULL DEFAULT 0 CHECK (load_chat >= 0),
    load_message integer NOT NULL DEFAULT 0 CHECK (load_message >= 0),
    wrap_ups     integer NOT NULL DEFAULT 0 CHECK (wrap_ups >= 0),
    idle_since  timestamptz NOT NULL,
    version     bigint      NOT NULL
);
-- A work item: version is the compare-and-set counter; doc holds the
-- routing.Item (JSON, times with nanoseconds); state, professional and
-- deadline are copied out for queries and for recovery of timed-out offers.
CREATE TABLE routing_items (
    id           text PRIMARY KEY,
    version      bigint  NOT NULL,
    state        integer NOT NULL,
    professional text    NOT NULL DEFAULT '',
    deadline     timestamptz,
    doc          jsonb   NOT NULL
);
CREATE INDEX routing_items_deadline_idx ON routing_items (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX routing_items_professional_idx ON routing_items (professional) WHERE professional <> '';
