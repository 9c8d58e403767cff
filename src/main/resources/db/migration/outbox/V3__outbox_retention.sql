-- EduPulse Outbox, schema version 3: the retention job finds old dispatched rows by this index.
-- Partial (dispatched rows only), so it never slows the claim's pending index.
CREATE INDEX outbox_event_dispatched_idx
    ON outbox_event (dispatched_at)
    WHERE dispatched_at IS NOT NULL;
