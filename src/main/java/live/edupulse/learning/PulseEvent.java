package live.edupulse.learning;

import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** An event of one learning pulse: aggregate type {@code learning_pulse}, aggregate id the pulse's id. */
interface PulseEvent extends DomainEvent {

    UUID pulseId();

    @Override
    default String aggregateType() {
        return LearningEvents.PULSE;
    }

    @Override
    default String aggregateId() {
        return pulseId().toString();
    }
}
