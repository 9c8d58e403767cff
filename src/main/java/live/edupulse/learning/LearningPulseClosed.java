package live.edupulse.learning;

import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** A pulse was closed: no submission is accepted after this; {@code version} is the version after the change. */
public record LearningPulseClosed(UUID pulseId, long version) implements DomainEvent {

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
        return "learning_pulse.closed";
    }
}
