package live.edupulse.learning;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * A learning pulse: a question a teacher puts to a class, open for submissions until closed.
 * Versioned: every change increments {@link #version()}, and a change made on a stale copy fails
 * with an optimistic-lock conflict.
 */
@Entity
@Table(name = "learning_pulse")
public class Pulse {

    @Id
    private UUID id;

    @Column(name = "author_id", nullable = false)
    private UUID authorId;

    @Column(nullable = false)
    private String title;

    @Column(name = "closed_at")
    private Instant closedAt;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Version
    private long version;

    protected Pulse() {
    }

    Pulse(UUID id, UUID authorId, String title, Instant createdAt) {
        this.id = id;
        this.authorId = authorId;
        this.title = title;
        this.createdAt = createdAt;
    }

    void retitle(String newTitle) {
        if (isClosed()) {
            throw new PulseClosedException(id);
        }
        this.title = newTitle;
    }

    void close(Instant at) {
        if (isClosed()) {
            throw new PulseClosedException(id);
        }
        this.closedAt = at;
    }

    public boolean isClosed() {
        return closedAt != null;
    }

    public UUID id() { return id; }
    public UUID authorId() { return authorId; }
    public String title() { return title; }
    public Instant closedAt() { return closedAt; }
    public Instant createdAt() { return createdAt; }
    public long version() { return version; }
}
