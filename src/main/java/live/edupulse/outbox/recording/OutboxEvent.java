package live.edupulse.outbox.recording;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of {@code outbox_event}, mapped for reading (tests, operations). Rows are written only by
 * {@link OutboxRecorder} and the dispatcher's claim and settle statements, never through this
 * entity, so every column is read-only here.
 */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent {

    @Id
    @Column(name = "id", insertable = false, updatable = false)
    private UUID id;

    @Column(name = "seq", insertable = false, updatable = false)
    private long seq;

    @Column(name = "aggregate_type", insertable = false, updatable = false)
    private String aggregateType;

    @Column(name = "aggregate_id", insertable = false, updatable = false)
    private String aggregateId;

    @Column(name = "aggregate_seq", insertable = false, updatable = false)
    private long aggregateSeq;

    @Column(name = "event_type", insertable = false, updatable = false)
    private String eventType;

    @Column(name = "payload", insertable = false, updatable = false)
    private String payload;

    @Column(name = "headers", insertable = false, updatable = false)
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
