-- EduPulse Outbox, schema version 1: the outbox table and the per-aggregate counter.
-- Aggregate keys use the "C" collation: byte order, the cheapest comparison, and the same order
-- the dispatcher's round-robin cursor over aggregates uses.
-- Applied by Flyway at deploy (outbox.schema.migrate=true), or handed to a DBA as it is.

CREATE TABLE outbox_aggregate (
    aggregate_type text COLLATE "C" NOT NULL,
    aggregate_id   text COLLATE "C" NOT NULL,
    last_seq       bigint NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);

CREATE TABLE outbox_event (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY,
    aggregate_type  text COLLATE "C" NOT NULL,
    aggregate_id    text COLLATE "C" NOT NULL,
    aggregate_seq   bigint      NOT NULL,
    event_type      text        NOT NULL,
    payload         text        NOT NULL,
    headers         text        NOT NULL DEFAULT '{}',
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    lease_owner     uuid,
    lease_token     uuid,
    lease_until     timestamptz,
    dispatched_at   timestamptz,
    unroutable      boolean     NOT NULL DEFAULT false,
    parked_at       timestamptz,
    CONSTRAINT outbox_event_aggregate_seq_key UNIQUE (aggregate_type, aggregate_id, aggregate_seq)
);

-- The claim's only index: pending rows of each aggregate in aggregate_seq order. Partial, so the
-- dispatched history never slows a claim. It serves the walk over aggregates, each aggregate's
-- head, the "no earlier pending event" check and the head's followers.
CREATE INDEX outbox_event_pending_idx
    ON outbox_event (aggregate_type, aggregate_id, aggregate_seq)
    WHERE dispatched_at IS NULL;

-- A hot queue: every row is inserted, updated once or twice and later deleted by retention.
-- Vacuum and analyze it long before the default 20% of dead rows.
ALTER TABLE outbox_event SET (
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_analyze_threshold = 1000
);
