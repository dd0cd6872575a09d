-- Routing's hot writer notifies by itself: a transaction that sends NOTIFY
-- holds PostgreSQL's notification lock (one for the whole server) from
-- just before its commit until its commit record is flushed, so notifying
-- commits are flushed one at a time and never together. The store's Apply
-- (every offer, answer, completion or removal of a work item) therefore
-- sets carecontact.notify_after to 'on' for its transaction, and after its
-- durable COMMIT, in the same round trip, sends a transaction of its own
-- that only notifies carecontact_routing, with synchronous_commit off:
-- that one holds the lock only while its commit record is written. The
-- triggers of migration 15 stay for every other writer; for a transaction
-- that says it notifies after its commit they send nothing. An unset
-- setting reads as NULL, and as '' once any transaction of the session
-- set it: either way the trigger notifies.
CREATE OR REPLACE FUNCTION carecontact_routing_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('carecontact.notify_after', true) IS DISTINCT FROM 'on' THEN
        PERFORM pg_notify('carecontact_routing', '');
    END IF;
    RETURN NULL;
END
$$;
