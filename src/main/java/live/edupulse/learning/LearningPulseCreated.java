package live.edupulse.learning;

import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** A pulse was created; {@code version} is the pulse's version after the change. */
public record LearningPulseCreated(UUID pulseId, UUID authorId, String title, long version) implements DomainEvent {

    @Override
    public String aggregateType() {
        return LearningEvents.PULSE;
    }

    @Override
    public String aggregateId() {
        return pulseId.toString();
    }

    @Override
    public String eventType() {
        return "learning_pulse.created";
    }
}
