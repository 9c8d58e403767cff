package live.edupulse.learning;

import java.util.UUID;

/** A pulse got a new title; {@code version} is the pulse's version after the change. */
public record LearningPulseRetitled(UUID pulseId, String title, long version) implements PulseEvent {

    @Override
    public String eventType() {
        return "learning_pulse.retitled";
    }
}
