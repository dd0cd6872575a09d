-- Change notification for replicas: every statement that changes work
-- items or professionals' state sends NOTIFY carecontact_routing when its
-- transaction commits (the server folds the notifications of one
-- transaction into one). A replica's Notifier listens and refreshes its
-- dispatcher at once instead of at its next poll. The payload is empty: no
-- identifiers travel on the channel.
CREATE FUNCTION carecontact_routing_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('carecontact_routing', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER routing_items_notify AFTER INSERT OR UPDATE OR DELETE ON routing_items
    FOR EACH STATEMENT EXECUTE FUNCTION carecontact_routing_notify();

CREATE TRIGGER routing_professionals_notify AFTER INSERT OR UPDATE OR DELETE ON routing_professionals
    FOR EACH STATEMENT EXECUTE FUNCTION carecontact_routing_notify();
