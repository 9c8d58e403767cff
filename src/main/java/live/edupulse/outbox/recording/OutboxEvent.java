package live.edupulse.outbox.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of {@code outbox_event}. {@link OutboxRecorder} persists it with what the event says
 * ({@link #pending}); the database adds the rest at insert: {@code aggregate_seq} (a trigger takes
 * it from the aggregate's counter, see {@code V11__outbox_seq_trigger.sql}), {@code seq},
 * {@code occurred_at} and the dispatch columns' defaults. Only the dispatcher's statements change a
 * row after its insert, so no column is updatable here, and the values the database assigned are
 * not in an instance persisted in the current transaction (read the row again for them).
 */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {

    @Id
    @Column(name = "id", updatable = false)
    private UUID id;

    @Column(name = "seq", insertable = false, updatable = false)
    private long seq;

    @Column(name = "aggregate_type", updatable = false)
    private String aggregateType;

    @Column(name = "aggregate_id", updatable = false)
    private String aggregateId;

    @Column(name = "aggregate_seq", insertable = false, updatable = false)
    private long aggregateSeq;

    @Column(name = "event_type", updatable = false)
    private String eventType;

    @Column(name = "payload", updatable = false)
    private String payload;

    @Column(name = "headers", updatable = false)
    private String headers;

    @Column(name = "occurred_at", insertable = false, updatable = false)
    private OffsetDateTime occurredAt;

    @Column(name = "attempts", insertable = false, updatable = false)
    private int attempts;

    @Column(name = "next_attempt_at", insertable = false, updatable = false)
    private OffsetDateTime nextAttemptAt;

    @Column(name = "last_error", insertable = false, updatable = false)
    private String lastError;

    @Column(name = "lease_owner", insertable = false, updatable = false)
    private UUID leaseOwner;

    @Column(name = "lease_token", insertable = false, updatable = false)
    private UUID leaseToken;

    @Column(name = "lease_until", insertable = false, updatable = false)
    private OffsetDateTime leaseUntil;

    @Column(name = "dispatched_at", insertable = false, updatable = false)
    private OffsetDateTime dispatchedAt;

    @Column(name = "unroutable", insertable = false, updatable = false)
    private boolean unroutable;

    @Column(name = "parked_at", insertable = false, updatable = false)
    private OffsetDateTime parkedAt;

    protected OutboxEvent() {
    }

    /** A row to insert: an event as recorded, before the database numbers it. */
    static OutboxEvent pending(UUID id, String aggregateType, String aggregateId, String eventType, String payload,
                               String headers) {
        OutboxEvent row = new OutboxEvent();
        row.id = id;
        row.aggregateType = aggregateType;
        row.aggregateId = aggregateId;
        row.eventType = eventType;
        row.payload = payload;
        row.headers = headers;
        return row;
    }

    public UUID id() { return id; }
    public long seq() { return seq; }
    public String aggregateType() { return aggregateType; }
    public String aggregateId() { return aggregateId; }
    public long aggregateSeq() { return aggregateSeq; }
    public String eventType() { return eventType; }
    public String payload() { return payload; }
    public String headers() { return headers; }
    public OffsetDateTime occurredAt() { return occurredAt; }
    public int attempts() { return attempts; }
    public OffsetDateTime nextAttemptAt() { return nextAttemptAt; }
    public String lastError() { return lastError; }
    public UUID leaseOwner() { return leaseOwner; }
    public UUID leaseToken() { return leaseToken; }
    public OffsetDateTime leaseUntil() { return leaseUntil; }
    public OffsetDateTime dispatchedAt() { return dispatchedAt; }
    public boolean unroutable() { return unroutable; }
    public OffsetDateTime parkedAt() { return parkedAt; }
}
