-- The routing store notifies by itself: a transaction that sends NOTIFY
-- holds PostgreSQL's notification lock (one for the whole server) from
-- just before its commit until its commit record is flushed, so notifying
-- commits are flushed one at a time and never together. The routing
-- store's writes (Apply: every offer, answer, completion or removal of a
-- work item; registering professionals, presence, new items) therefore set
-- carecontact.notify_after to 'on' for their transaction, and after its
-- durable COMMIT, in the same round trip, send a transaction of their own
-- that only notifies carecontact_routing, with synchronous_commit off:
-- that one holds the lock only while its commit record is written. The
-- triggers of migration 15 stay for every other writer; for a transaction
-- that says it notifies after its commit they do not fire (their WHEN
-- condition, so no trigger function runs and no trigger event is queued).
-- An unset setting reads as NULL, and as '' once any transaction of the
-- session set it: either way the triggers fire.
DROP TRIGGER routing_items_notify ON routing_items;
DROP TRIGGER routing_professionals_notify ON routing_professionals;

CREATE TRIGGER routing_items_notify AFTER INSERT OR UPDATE OR DELETE ON routing_items
    FOR EACH STATEMENT
    WHEN (current_setting('carecontact.notify_after', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION carecontact_routing_notify();

CREATE TRIGGER routing_professionals_notify AFTER INSERT OR UPDATE OR DELETE ON routing_professionals
    FOR EACH STATEMENT
    WHEN (current_setting('carecontact.notify_after', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION carecontact_routing_notify();
