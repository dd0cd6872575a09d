-- Callback capacity reservations. One row per team's local day in which a
-- callback window was promised: version counts the reservations made in it.
-- A promise (OpenReserved, UpdateReserved) is written only if the day's
-- version is still the one the planner planned from, and bumps it in the
-- same transaction (a conditional UPDATE, or an INSERT ... ON CONFLICT DO
-- NOTHING for a day's first promise), so planners on any number of replicas
-- never promise the same capacity twice. day is the local midnight
-- (Europe/Helsinki) that starts the day.
CREATE TABLE callback_plans (
    team    text        NOT NULL,
    day     timestamptz NOT NULL,
    version bigint      NOT NULL CHECK (version > 0),
    PRIMARY KEY (team, day)
);
