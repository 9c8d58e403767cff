package live.edupulse.outbox.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The inbox's settings ({@code inbox.*}); the broker it consumes from is the outbox's
 * ({@code outbox.broker.*}).
 *
 * @param enabled         consume at all
 * @param queuePrefix     a consumer's queue is this prefix and its name
 * @param prefetch        unacknowledged deliveries per consumer
 * @param batchSize       the most deliveries decided in one transaction (at most the prefetch)
 * @param workers         partitions of one consumer's aggregates, each deciding its own batches in its
 *                        own transactions at the same time as the others
 * @param catchUp         consumers (by name) that request a replay of their event types when their
 *                        queue is created (their first start)
 * @param maxAttempts     failed applications before an event is parked
 * @param backoffInitial  delay after the first failure; doubles up to backoffMax
 * @param backoffMax      the longest delay
 * @param retentionAge    settled message ids older than this are deleted; must exceed the longest
 *                        time after which the same message can arrive again
 * @param retentionChunk  rows deleted per transaction
 */
public record InboxSettings(boolean enabled, String queuePrefix, int prefetch, int batchSize, int workers,
                            Set<String> catchUp,
                            int maxAttempts, Duration backoffInitial,
                            Duration backoffMax, Duration retentionAge, int retentionChunk) {

    private static Set<String> names(String list) {
        Set<String> names = new TreeSet<>();
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return Set.copyOf(names);
    }

    /** Reads and validates every {@code inbox.*} key. */
    public static InboxSettings read(Function<String, Optional<String>> source) {
        ConfigValues values = new ConfigValues(source);
        Duration initial = values.duration("inbox.backoff-initial", Duration.ofMillis(10), Duration.ofHours(1));
        Duration max = values.duration("inbox.backoff-max", Duration.ofMillis(10), Duration.ofDays(1));
        if (max.compareTo(initial) < 0) {
            throw new InvalidConfigurationException("inbox.backoff-max", "is shorter than inbox.backoff-initial");
        }
        String prefix = values.required("inbox.queue-prefix");
        if (!prefix.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new InvalidConfigurationException("inbox.queue-prefix", "'" + prefix
                    + "' is not 1..100 letters, digits, '.', '_' or '-'");
        }
        int prefetch = values.integer("inbox.prefetch", 1, 10_000);
        int batchSize = values.integer("inbox.batch-size", 1, 10_000);
        if (batchSize > prefetch) {
            throw new InvalidConfigurationException("inbox.batch-size", "is larger than inbox.prefetch (" + prefetch
                    + "): a batch is taken from what the prefetch holds");
        }
        return new InboxSettings(
                values.bool("inbox.enabled"),
                prefix,
                prefetch,
                batchSize,
                values.integer("inbox.workers", 1, 64),
                names(values.optional("inbox.catch-up").orElse("")),
                values.integer("inbox.max-attempts", 1, 1000),
                initial,
                max,
                values.duration("inbox.retention.applied-age", Duration.ofMinutes(1), Duration.ofDays(3650)),
                values.integer("inbox.retention.chunk-size", 1, 100_000));
    }
}
