package live.edupulse.learning;

import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** A student's submission to an open pulse was accepted. */
public record SubmissionReceived(UUID submissionId, UUID pulseId, UUID studentId) implements DomainEvent {

    @Override
    public String aggregateType() {
        return LearningEvents.SUBMISSION;
    }

    @Override
    public String aggregateId() {
        return submissionId.toString();
    }

    @Override
    public String eventType() {
        return "submission.received";
    }
}
