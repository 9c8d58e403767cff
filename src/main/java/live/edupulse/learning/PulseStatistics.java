package live.edupulse.learning;

import java.time.Instant;
import java.util.UUID;

/** What the statistics projection knows of a pulse. */
public record PulseStatistics(UUID pulseId, String status, long submissions, long distinctStudents, Instant updatedAt) {
}
