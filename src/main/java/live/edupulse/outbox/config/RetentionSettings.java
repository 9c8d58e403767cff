package live.edupulse.outbox.config;

import java.time.Duration;

/**
 * How long dispatched rows are kept. Parked and pending rows are never deleted by retention.
 *
 * @param enabled       run the retention job at all
 * @param dispatchedAge dispatched rows older than this (by {@code dispatched_at}) are deleted
 * @param chunkSize     rows deleted per transaction
 */
public record RetentionSettings(boolean enabled, Duration dispatchedAge, int chunkSize) {
}
