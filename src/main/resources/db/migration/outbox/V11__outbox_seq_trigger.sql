-- EduPulse Outbox, schema version 11: aggregate_seq assigned by the database at insert.
-- The recorder persists outbox_event as a JPA entity without aggregate_seq; this trigger takes the
-- next value from the aggregate's counter row (upsert) and keeps that row locked until the
-- inserting transaction ends, so one aggregate's events are numbered in commit order (G4), as the
-- recorder's single statement did before. A row inserted with its aggregate_seq (a DBA's repair,
-- a test) keeps it and leaves the counter alone.

CREATE FUNCTION outbox_event_next_aggregate_seq() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_aggregate (aggregate_type, aggregate_id, last_seq)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, 1)
    ON CONFLICT (aggregate_type, aggregate_id)
    DO UPDATE SET last_seq = outbox_aggregate.last_seq + 1
    RETURNING last_seq INTO NEW.aggregate_seq;
    RETURN NEW;
END
$$;

CREATE TRIGGER outbox_event_aggregate_seq
    BEFORE INSERT ON outbox_event
    FOR EACH ROW WHEN (NEW.aggregate_seq IS NULL)
    EXECUTE FUNCTION outbox_event_next_aggregate_seq();
