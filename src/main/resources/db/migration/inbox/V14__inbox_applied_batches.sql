-- EduPulse Outbox, schema version 14: the ids of events applied in order, one row per transaction.
-- An event applied in its aggregate's order needs no row of its own: a redelivery or a replay of it
-- is recognized by its aggregate_seq (at or below the aggregate's last applied seq). Its id is still
-- recorded, for the retention window, in the row of the transaction that applied it: one row (two
-- index entries) per batch instead of one row and two index entries per event. inbox_message keeps
-- the events that need a row: held, retrying, parked, and whatever the one-at-a-time path settles.
CREATE TABLE inbox_applied (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer    text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    message_ids uuid[]      NOT NULL
);

-- Retention deletes batches by age.
CREATE INDEX inbox_applied_at_idx ON inbox_applied (applied_at);
