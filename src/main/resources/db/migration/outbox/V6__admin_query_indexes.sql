-- The admin listing reads a page of one status in seq order (keyset: seq > the previous page's
-- last). Parked events have their index since V4; these give pending and discarded events theirs,
-- so no listing reads rows of another status or the dispatched history. Each predicate is the
-- listing's condition for that status, word for word (EventListing).
-- The pending one costs one more index entry per recorded event, removed again by vacuum once the
-- event is dispatched; the discarded one only grows with discards.

CREATE INDEX outbox_event_pending_seq_idx
    ON outbox_event (seq)
    WHERE dispatched_at IS NULL AND parked_at IS NULL;

CREATE INDEX outbox_event_discarded_idx
    ON outbox_event (seq)
    WHERE discarded_at IS NOT NULL;
