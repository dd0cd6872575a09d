-- Change notification for the callback planner: every statement that
-- changes callback requests or a team's day plan sends NOTIFY
-- carecontact_callback when its transaction commits (folded into one per
-- transaction). The leader's Notifier listens and wakes its driver, whose
-- next step re-plans at once, so a request promised on a follower is made
-- due (and handed to routing) without waiting for a poll; a follower's
-- Notifier wakes for the leader's decisions the same way. The payload is
-- empty: no identifiers travel on the channel. Booking needs no channel:
-- no leader decides for it, and every replica reads the next hold expiry
-- from the store at each step.
CREATE FUNCTION carecontact_callback_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('carecontact_callback', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER callback_requests_notify AFTER INSERT OR UPDATE OR DELETE ON callback_requests
    FOR EACH STATEMENT EXECUTE FUNCTION carecontact_callback_notify();

CREATE TRIGGER callback_plans_notify AFTER INSERT OR UPDATE OR DELETE ON callback_plans
    FOR EACH STATEMENT EXECUTE FUNCTION carecontact_callback_notify();
