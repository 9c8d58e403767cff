package live.edupulse.outbox.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * All of the outbox's configuration, read once at start and validated as a whole. Keys, defaults and
 * descriptions live in {@code META-INF/microprofile-config.properties}; the README has the table.
 *
 * @param migrateSchema   apply the SQL migrations at deploy (false: a DBA applies them)
 * @param database        timeouts and retries towards the database
 * @param maxMessageBytes the largest message an event may become; a bigger one is refused at recording
 * @param admin           limits of the admin API's queries
 */
public record OutboxSettings(BrokerSettings broker, DispatchSettings dispatch, RetentionSettings retention,
                             boolean migrateSchema, DatabaseSettings database, int maxMessageBytes,
                             AdminSettings admin) {

    /**
     * Reads and validates every key.
     *
     * @param source looks a key up; empty when the key has no value at all
     * @throws InvalidConfigurationException naming the first key whose value is missing or invalid
     */
    public static OutboxSettings read(Function<String, Optional<String>> source) {
        ConfigValues values = new ConfigValues(source);

        Optional<String> uri = values.optional("outbox.broker.uri");
        uri.ifPresent(u -> {
            try {
                BrokerEndpoint.parse(u);
            } catch (IllegalArgumentException e) {
                // the value is not quoted: it holds the password
                throw new InvalidConfigurationException("outbox.broker.uri", e.getMessage());
            }
        });
        String addresses = values.required("outbox.broker.addresses");
        for (String address : addresses.split(",")) {
            if (!address.trim().matches("[^:\\s]+(:\\d{1,5})?")) {
                throw new InvalidConfigurationException("outbox.broker.addresses",
                        "'" + address.trim() + "' is not host or host:port");
            }
        }
        Duration confirmTimeout = values.duration("outbox.broker.confirm-timeout", Duration.ofMillis(100), Duration.ofMinutes(10));
        BrokerSettings broker = new BrokerSettings(
                uri,
                addresses,
                values.required("outbox.broker.virtual-host"),
                values.required("outbox.broker.username"),
                values.secret("outbox.broker.password"),
                exchangeName(values.required("outbox.broker.exchange")),
                values.bool("outbox.broker.declare-exchange"),
                values.choice("outbox.broker.unroutable-policy", UnroutablePolicy.class),
                confirmTimeout,
                values.duration("outbox.broker.connection-timeout", Duration.ofMillis(100), Duration.ofMinutes(5)),
                values.required("outbox.broker.app-id"));

        Duration lease = values.duration("outbox.dispatch.lease", Duration.ofSeconds(1), Duration.ofHours(1));
        if (lease.compareTo(confirmTimeout.multipliedBy(2)) < 0) {
            throw new InvalidConfigurationException("outbox.dispatch.lease", ConfigValues.format(lease)
                    + " is shorter than twice outbox.broker.confirm-timeout (" + ConfigValues.format(confirmTimeout)
                    + "): a batch must be able to publish and settle within its lease");
        }
        Duration backoffInitial = values.duration("outbox.dispatch.backoff-initial", Duration.ofMillis(1), Duration.ofHours(1));
        Duration backoffMax = values.duration("outbox.dispatch.backoff-max", Duration.ofMillis(1), Duration.ofDays(1));
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new InvalidConfigurationException("outbox.dispatch.backoff-max", ConfigValues.format(backoffMax)
                    + " is shorter than outbox.dispatch.backoff-initial (" + ConfigValues.format(backoffInitial) + ")");
        }
        DispatchSettings dispatch = new DispatchSettings(
                values.bool("outbox.dispatch.enabled"),
                values.bool("outbox.dispatch.timer-enabled"),
                values.integer("outbox.dispatch.batch-size", 1, 10_000),
                values.integer("outbox.dispatch.lanes", 1, 8),
                lease,
                values.integer("outbox.dispatch.max-attempts", 1, 1_000),
                backoffInitial,
                backoffMax,
                values.duration("outbox.dispatch.broker-backoff-max", Duration.ofMillis(1), Duration.ofHours(1)));

        RetentionSettings retention = new RetentionSettings(
                values.bool("outbox.retention.enabled"),
                values.duration("outbox.retention.dispatched-age", Duration.ofSeconds(1), Duration.ofDays(3650)),
                values.integer("outbox.retention.chunk-size", 1, 100_000));

        DatabaseSettings database = new DatabaseSettings(
                values.duration("outbox.dispatch.statement-timeout", Duration.ofMillis(100), Duration.ofHours(1)),
                values.duration("outbox.schema.connect-retry", Duration.ZERO, Duration.ofHours(1)));
        AdminSettings admin = new AdminSettings(
                values.duration("outbox.admin.query-timeout", Duration.ofSeconds(1), Duration.ofMinutes(10)));

        return new OutboxSettings(broker, dispatch, retention, values.bool("outbox.schema.migrate"), database,
                values.integer("outbox.message.max-bytes", 1024, 512 * 1024 * 1024), admin);
    }

    private static String exchangeName(String name) {
        if (!name.matches("[A-Za-z0-9_.:-]{1,255}")) {
            throw new InvalidConfigurationException("outbox.broker.exchange",
                    "'" + name + "' is not an exchange name (letters, digits, '-', '_', '.', ':')");
        }
        return name;
    }
}
