package live.edupulse.outbox.recording;

import java.util.List;
import java.util.UUID;

/**
 * Fired (synchronously, as a CDI event) once per transaction that recorded outbox events, right
 * after it committed, on the committing thread. Observers must be quick and must not throw: the
 * dispatcher's nudge and the commit-to-confirm latency metric use it.
 *
 * @param eventIds         the ids of the events the transaction recorded, in recording order
 * @param committedAtNanos {@link System#nanoTime()} at the commit
 */
public record EventsCommitted(List<UUID> eventIds, long committedAtNanos) {
}
