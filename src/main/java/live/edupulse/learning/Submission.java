package live.edupulse.learning;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A student's answer to a pulse. Immutable once received. */
@Entity
@Table(name = "learning_submission")
public class Submission {

    @Id
    private UUID id;

    @Column(name = "pulse_id", nullable = false)
    private UUID pulseId;

    @Column(name = "student_id", nullable = false)
    private UUID studentId;

    @Column(nullable = false)
    private String answer;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected Submission() {
    }

    Submission(UUID id, UUID pulseId, UUID studentId, String answer, Instant createdAt) {
        this.id = id;
        this.pulseId = pulseId;
        this.studentId = studentId;
        this.answer = answer;
        this.createdAt = createdAt;
    }

    public UUID id() { return id; }
    public UUID pulseId() { return pulseId; }
    public UUID studentId() { return studentId; }
    public String answer() { return answer; }
    public Instant createdAt() { return createdAt; }
}
