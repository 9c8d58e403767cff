package live.edupulse.learning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * EduPulse's first consumer: per pulse its status, number of submissions and of distinct students,
 * fed only through the inbox from the exchange (never by the service that fires the events), so it
 * is eventually consistent and exactly once per event. Submissions are their own aggregate, so one
 * may be applied before its pulse's creation: every change is an upsert.
 */
@ApplicationScoped
public class PulseStatisticsProjection implements InboxConsumer {

    static final String NAME = "pulse-statistics";

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> eventTypes() {
        // every event of a pulse, so its seq has no gap the inbox would wait at (retitles are ignored)
        return List.of("learning_pulse.*", "submission.received");
    }

    @Override
    public void apply(DeliveredEvent event) {
        Timestamp at = Timestamp.from(event.occurredAt());
        switch (event.eventType()) {
            case "learning_pulse.created" -> upsert(UUID.fromString(event.aggregateId()), "open", 0, 0, at);
            case "learning_pulse.closed" -> upsert(UUID.fromString(event.aggregateId()), "closed", 0, 0, at);
            case "submission.received" -> {
                SubmissionReceived submission = event.payload(SubmissionReceived.class);
                int newStudent = entityManager.createNativeQuery("""
                        INSERT INTO learning_pulse_student (pulse_id, student_id) VALUES (?1, ?2)
                        ON CONFLICT DO NOTHING""")
                        .setParameter(1, submission.pulseId())
                        .setParameter(2, submission.studentId())
                        .executeUpdate();
                upsert(submission.pulseId(), null, 1, newStudent, at);
            }
            default -> {
                // a retitle (or a future pulse event) changes no statistic; applying it keeps the order
            }
        }
    }

    /** Creates or changes a pulse's row: the status when given (closed stays closed), counts added. */
    private void upsert(UUID pulseId, String status, int submissions, int newStudents, Timestamp at) {
        entityManager.createNativeQuery("""
                INSERT INTO learning_pulse_stats (pulse_id, status, submissions, distinct_students, updated_at)
                VALUES (?1, coalesce(?2, 'open'), ?3, ?4, ?5)
                ON CONFLICT (pulse_id) DO UPDATE
                   SET status = CASE WHEN learning_pulse_stats.status = 'closed' THEN 'closed'
                                     ELSE coalesce(?2, learning_pulse_stats.status) END,
                       submissions = learning_pulse_stats.submissions + ?3,
                       distinct_students = learning_pulse_stats.distinct_students + ?4,
                       updated_at = greatest(learning_pulse_stats.updated_at, ?5)""")
                .setParameter(1, pulseId)
                .setParameter(2, status)
                .setParameter(3, submissions)
                .setParameter(4, newStudents)
                .setParameter(5, at)
                .executeUpdate();
    }
}
