package live.edupulse.outbox.config;

import java.time.Duration;

/**
 * Bounds of the admin API's database work.
 *
 * @param queryTimeout longest time one admin statement may run before the database cancels it
 *                     (whole seconds, rounded up: JDBC's query timeout)
 */
public record AdminSettings(Duration queryTimeout) {

    /** The timeout as JDBC takes it: whole seconds, at least one. */
    public int queryTimeoutSeconds() {
        long seconds = (queryTimeout.toMillis() + 999) / 1000;
        return (int) Math.max(1, seconds);
    }
}
