-- EduPulse Outbox, schema version 9: what a replay may promise.
-- outbox_control.retention_horizon: the latest dispatched_at among the rows retention has deleted
-- (NULL: it never deleted any). A replay from an occurred-at before it could miss events.
ALTER TABLE outbox_control ADD COLUMN retention_horizon timestamptz;
-- outbox_replay.until_seq: the outbox's highest seq when the job was requested. Rows recorded after
-- the request reach the queue live; the job does not publish them a second time.
ALTER TABLE outbox_replay ADD COLUMN until_seq bigint NOT NULL DEFAULT 0;
