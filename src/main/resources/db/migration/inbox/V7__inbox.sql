-- EduPulse Outbox, schema version 7: the inbox (consumer side) and EduPulse's statistics projection.

-- Every message a consumer received, by its message id (the outbox event id): the duplicate check,
-- the events held for their predecessor, the failed ones waiting for their next attempt or parked.
-- status: applied, duplicate (at or below the aggregate's applied seq), held (ahead of it),
-- retry (its handler failed; next_attempt_at), parked (failed max-attempts times), skipped (an
-- operator discarded it and released its aggregate).
CREATE TABLE inbox_message (
    consumer        text        NOT NULL,
    message_id      uuid        NOT NULL,
    aggregate_type  text COLLATE "C" NOT NULL,
    aggregate_id    text COLLATE "C" NOT NULL,
    aggregate_seq   bigint      NOT NULL,
    event_type      text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    settled_at      timestamptz,
    PRIMARY KEY (consumer, message_id)
);

-- What still needs work: held, retrying and parked messages, per aggregate in seq order.
CREATE INDEX inbox_message_open_idx
    ON inbox_message (consumer, aggregate_type, aggregate_id, aggregate_seq)
    WHERE status IN ('held', 'retry', 'parked');

-- Retention deletes settled messages by age.
CREATE INDEX inbox_message_settled_idx
    ON inbox_message (settled_at)
    WHERE status IN ('applied', 'duplicate', 'skipped');

ALTER TABLE inbox_message SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000
);

-- Per consumer and aggregate: the last applied aggregate_seq. Its row lock serializes the
-- application of one aggregate's events across threads and instances.
CREATE TABLE inbox_aggregate (
    consumer         text NOT NULL,
    aggregate_type   text COLLATE "C" NOT NULL,
    aggregate_id     text COLLATE "C" NOT NULL,
    last_applied_seq bigint NOT NULL,
    PRIMARY KEY (consumer, aggregate_type, aggregate_id)
);

-- EduPulse Live's pulse statistics, fed only through the inbox.
CREATE TABLE learning_pulse_stats (
    pulse_id          uuid        PRIMARY KEY,
    status            text        NOT NULL,
    submissions       bigint      NOT NULL,
    distinct_students bigint      NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE learning_pulse_student (
    pulse_id   uuid NOT NULL,
    student_id uuid NOT NULL,
    PRIMARY KEY (pulse_id, student_id)
);
