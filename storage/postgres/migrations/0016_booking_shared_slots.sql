-- Shared slots (booking.Claim.Shared and Capacity): a group session or a
-- vaccination clinic holds several appointments in one slot. Claims of one
-- owner still exclude each other when they overlap, unless they are seats
-- of the same shared slot; an ordinary claim's key is its appointment, so
-- it excludes every other overlapping claim as before. How many seats a
-- shared slot has left is counted in the claiming transaction under the
-- owners' advisory locks.
ALTER TABLE booking_claims ADD COLUMN shared text;
ALTER TABLE booking_claims ADD COLUMN capacity integer NOT NULL DEFAULT 0;
ALTER TABLE booking_claims DROP CONSTRAINT booking_claims_no_overlap;
ALTER TABLE booking_claims ADD CONSTRAINT booking_claims_no_overlap
    EXCLUDE USING gist (owner WITH =, during WITH &&, (coalesce(shared, appointment)) WITH <>);
