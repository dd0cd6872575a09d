-- Stored calendars (booking.CalendarStore): a calendar with its rota,
-- exceptions and closures is one row with its document and the version of
-- its last change, which every change compares to the version its caller
-- read. booking_calendars_clock counts the changes of all calendars in one
-- row: every change takes its row lock first (so calendar changes are
-- serialised) and raises it, and a Booker rebuilds its slot index when the
-- count it last read has moved.
CREATE TABLE booking_calendars (
    id      text PRIMARY KEY,
    area    text        NOT NULL,
    version integer     NOT NULL,
    updated timestamptz NOT NULL,
    doc     jsonb       NOT NULL
);

CREATE TABLE booking_calendars_clock (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint  NOT NULL
);
INSERT INTO booking_calendars_clock (version) VALUES (0);

-- Booking invitations (booking.Appointment.Invitation): the appointment an
-- invitation booked keeps its ID, unique among all appointments whatever
-- their status, so an invitation books once.
ALTER TABLE booking_appointments ADD COLUMN invitation text;
CREATE UNIQUE INDEX booking_appointments_invitation_key ON booking_appointments (invitation) WHERE invitation IS NOT NULL;
