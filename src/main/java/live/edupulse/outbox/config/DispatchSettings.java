package live.edupulse.outbox.config;

import java.time.Duration;

/**
 * How the dispatcher drains the outbox.
 *
 * @param enabled          drain at all (false: events are recorded and wait)
 * @param timerEnabled     run the one-second safety-net tick (false: only after-commit nudges drain)
 * @param batchSize        most events claimed, published and settled together
 * @param lanes            batches one instance drains at the same time, each on its own channel
 * @param lease            how long a claim is held; a dispatcher publishes nothing of a claim after it
 * @param maxAttempts      failed attempts (nack, or return under policy retry) before an event is parked
 * @param backoffInitial   delay after the first failed attempt; doubles per attempt, with jitter
 * @param backoffMax       cap of that delay
 * @param brokerBackoffMax cap of the pause after a broker-wide failure (doubles from backoffInitial)
 */
public record DispatchSettings(
        boolean enabled,
        boolean timerEnabled,
        int batchSize,
        int lanes,
        Duration lease,
        int maxAttempts,
        Duration backoffInitial,
        Duration backoffMax,
        Duration brokerBackoffMax) {
}
