package live.edupulse.learning;

import java.util.UUID;

/** A pulse was created; {@code version} is the pulse's version after the change. */
public record LearningPulseCreated(UUID pulseId, UUID authorId, String title, long version) implements PulseEvent {

    @Override
    public String eventType() {
        return "learning_pulse.created";
    }
}
