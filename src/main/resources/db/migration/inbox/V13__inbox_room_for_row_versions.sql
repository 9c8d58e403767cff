-- EduPulse Outbox, schema version 13: room on every page of inbox_aggregate for its rows' next versions.
-- A batch writes each of its aggregates' rows twice (locked by the upsert, then advanced), and
-- last_applied_seq is in no index, so both can be heap-only updates (HOT: no index entry, a small
-- WAL record) when the row's page has room: with pages filled to half, for batches that touch up
-- to about half of a page's rows. The rows are small, so the room costs little.
ALTER TABLE inbox_aggregate SET (fillfactor = 50);
