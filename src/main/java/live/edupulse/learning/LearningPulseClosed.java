package live.edupulse.learning;

import java.util.UUID;

/** A pulse was closed: no submission is accepted after this; {@code version} is the version after the change. */
public record LearningPulseClosed(UUID pulseId, long version) implements PulseEvent {

    @Override
    public String eventType() {
        return "learning_pulse.closed";
    }
}
