package live.edupulse.outbox.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The replay's settings ({@code outbox.replay.*}).
 *
 * @param defaultRate events per second of a job that names no rate
 * @param maxRate     the highest rate a job may ask for
 * @param lease       how long an instance holds a running job without progress before another one
 *                    takes it over (after a crash)
 */
public record ReplaySettings(int defaultRate, int maxRate, Duration lease) {

    /** Reads and validates every {@code outbox.replay.*} key. */
    public static ReplaySettings read(Function<String, Optional<String>> source) {
        ConfigValues values = new ConfigValues(source);
        int maxRate = values.integer("outbox.replay.max-rate", 1, 1_000_000);
        int defaultRate = values.integer("outbox.replay.default-rate", 1, 1_000_000);
        if (defaultRate > maxRate) {
            throw new InvalidConfigurationException("outbox.replay.default-rate", "is above outbox.replay.max-rate ("
                    + maxRate + ")");
        }
        return new ReplaySettings(defaultRate, maxRate,
                values.duration("outbox.replay.lease", Duration.ofSeconds(2), Duration.ofHours(1)));
    }
}
