package live.edupulse.learning;

import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** A pulse got a new title; {@code version} is the pulse's version after the change. */
public record LearningPulseRetitled(UUID pulseId, String title, long version) implements DomainEvent {

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
        return "learning_pulse.retitled";
    }
}
