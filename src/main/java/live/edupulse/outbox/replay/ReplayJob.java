package live.edupulse.outbox.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A replay job as stored: what it replays, and how far it got.
 *
 * @param status running, done, cancelled or failed
 * @param total  the matching events when it was requested
 * @param done     the events published (and confirmed) so far
 * @param untilSeq the outbox's highest {@code seq} when the job was requested: later rows reach the
 *                 queue live, the job leaves them out
 * @param notBefore while a running job waits with no instance holding it (a catch-up before its
 *                  start, a job paused after an error): when an instance may take it; otherwise null
 */
public record ReplayJob(UUID id, String queue, List<String> eventTypes, String aggregateType, String aggregateId,
                        Instant from, Instant to, int rate, String status, long total, long done, String requestedBy,
                        Instant requestedAt, Instant startedAt, Instant progressedAt, Instant finishedAt,
                        String lastError, long untilSeq, Instant notBefore) {

    /** Events per second published so far (0 before the first page). */
    public double eventsPerSecond() {
        if (startedAt == null || progressedAt == null || done == 0) {
            return 0;
        }
        long millis = Duration.between(startedAt, progressedAt).toMillis();
        return millis <= 0 ? 0 : done * 1000.0 / millis;
    }

    public boolean running() {
        return "running".equals(status);
    }
}
