-- EduPulse Outbox, schema version 4: what operators do without SQL.

-- A discarded event leaves the outbox without being published: dispatched_at is set (so its
-- aggregate's later events are released), discarded_at/by and the reason say why. Retention keeps
-- discarded rows.
ALTER TABLE outbox_event
    ADD COLUMN discarded_at   timestamptz,
    ADD COLUMN discard_reason text,
    ADD COLUMN discarded_by   text;

-- Parked events, for the admin list.
CREATE INDEX outbox_event_parked_idx
    ON outbox_event (seq)
    WHERE parked_at IS NOT NULL AND dispatched_at IS NULL;

-- One row: dispatch paused for every instance at once. The claim statement reads it, so the
-- timer and the after-commit path both honour it without an extra round trip.
CREATE TABLE outbox_control (
    id         integer     PRIMARY KEY CHECK (id = 1),
    paused     boolean     NOT NULL,
    changed_by text,
    changed_at timestamptz
);
INSERT INTO outbox_control (id, paused) VALUES (1, false);
