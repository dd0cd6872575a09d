-- Booking (booking.Store). An appointment is a row with its document; each
-- participant's claimed time is a row of booking_claims, and the exclusion
-- constraint keeps the live claims of one owner (professional or resource)
-- disjoint, so book-if-free is one INSERT that either fits or fails with an
-- exclusion violation. Holds are claims with an expiry: the same constraint
-- covers them, and a claiming transaction first deletes the owners' expired
-- holds. btree_gist provides the text equality operator for the constraint.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE booking_appointments (
    id         text PRIMARY KEY,
    client     text        NOT NULL,
    area       text        NOT NULL,
    service    text        NOT NULL,
    status     text        NOT NULL,
    start_at   timestamptz NOT NULL,
    hold_until timestamptz,
    version    integer     NOT NULL,
    doc        jsonb       NOT NULL
);
CREATE INDEX booking_appointments_client_idx ON booking_appointments (client, service, start_at);
CREATE INDEX booking_appointments_hold_idx ON booking_appointments (hold_until) WHERE status = 'pending';

CREATE TABLE booking_claims (
    owner       text      NOT NULL,
    appointment text      NOT NULL REFERENCES booking_appointments (id),
    during      tstzrange NOT NULL,
    expires     timestamptz,
    CONSTRAINT booking_claims_no_overlap EXCLUDE USING gist (owner WITH =, during WITH &&)
);
CREATE INDEX booking_claims_appointment_idx ON booking_claims (appointment);

CREATE TABLE booking_waiters (
    seq     bigint GENERATED ALWAYS AS IDENTITY,
    id      text PRIMARY KEY,
    area    text        NOT NULL,
    service text        NOT NULL,
    since   timestamptz NOT NULL,
    doc     jsonb       NOT NULL
);
CREATE INDEX booking_waiters_service_idx ON booking_waiters (area, service, since, seq);
