-- EduPulse Outbox, schema version 8: replay jobs. A job publishes retained outbox rows (dispatched,
-- not discarded) of chosen event types again, to one consumer's queue, in aggregate order; its
-- cursor and counts are written with every page, so a job survives a restart and resumes.
-- status: running, done, cancelled, failed (last_error says why).
CREATE TABLE outbox_replay (
    id                    uuid        PRIMARY KEY,
    queue                 text        NOT NULL,
    event_types           text[]      NOT NULL,   -- topic patterns, as consumers bind them
    aggregate_type        text COLLATE "C",
    aggregate_id          text COLLATE "C",
    occurred_from         timestamptz,            -- inclusive
    occurred_to           timestamptz,            -- exclusive
    rate                  integer     NOT NULL,   -- events per second, at most
    status                text        NOT NULL,
    total                 bigint      NOT NULL,   -- matching rows when the job was requested
    done                  bigint      NOT NULL DEFAULT 0,
    cursor_aggregate_type text COLLATE "C" NOT NULL DEFAULT '',
    cursor_aggregate_id   text COLLATE "C" NOT NULL DEFAULT '',
    cursor_aggregate_seq  bigint      NOT NULL DEFAULT 0,
    requested_by          text        NOT NULL,
    requested_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at            timestamptz,
    progressed_at         timestamptz,
    finished_at           timestamptz,
    last_error            text,
    lease_owner           uuid,
    lease_until           timestamptz
);

-- One running job per queue: a second is refused.
CREATE UNIQUE INDEX outbox_replay_running_queue_idx ON outbox_replay (queue) WHERE status = 'running';
