-- EduPulse Outbox, schema version 10: a settled inbox message keeps no payload.
-- An applied or duplicate message is kept only to recognize its message id and seq again; its
-- payload is not read any more (the outbox retains the event itself), and writing it made the
-- inbox's row several times larger than it needs to be. Held, retrying and parked messages keep
-- theirs: they are applied from it later.
ALTER TABLE inbox_message ALTER COLUMN payload DROP NOT NULL;
