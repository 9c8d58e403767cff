package live.edupulse.outbox.dispatch;

import java.util.List;
import java.util.UUID;

/**
 * Fired (synchronously, as a CDI event, on the dispatcher's thread) after each batch is settled,
 * for metrics. Observers must be quick and must not throw.
 *
 * @param durationNanos    claim to settle
 * @param confirmedAtNanos {@link System#nanoTime()} when the batch's confirms were in
 * @param delivered        ids marked dispatched (routed or, under policy accept, unroutable)
 * @param unroutable       how many of those the broker returned
 * @param failedAttempts   events whose attempt failed (nack, or return under policy retry)
 * @param parked           events parked by this batch
 * @param fencedOff        events whose settle changed nothing: their lease had expired and another
 *                         claim took them over (they may be delivered twice); when non-zero the settle
 *                         does not say which rows it marked dispatched, so {@code delivered} and
 *                         {@code unroutable} are empty (the published count misses them)
 */
public record BatchSettled(long durationNanos, long confirmedAtNanos, List<UUID> delivered, int unroutable,
                           int failedAttempts, int parked, int fencedOff) {
}
