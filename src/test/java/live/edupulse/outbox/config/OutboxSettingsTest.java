package live.edupulse.outbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class OutboxSettingsTest {

    /** The shipped defaults file, with the given keys changed. */
    private static OutboxSettings readWith(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(shippedDefaults());
        values.putAll(overrides);
        return OutboxSettings.read(key -> Optional.ofNullable(values.get(key)));
    }

    private static Map<String, String> shippedDefaults() {
        Properties properties = new Properties();
        try (InputStream in = OutboxSettingsTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> values = new HashMap<>();
        properties.forEach((key, value) -> values.put((String) key, (String) value));
        return values;
    }

    @Test
    void shippedDefaultsAreValid() {
        OutboxSettings settings = readWith(Map.of());
        assertEquals("edupulse.events", settings.broker().exchange());
        assertEquals(UnroutablePolicy.ACCEPT, settings.broker().unroutablePolicy());
        assertEquals(500, settings.dispatch().batchSize());
        assertEquals(Duration.ofSeconds(60), settings.dispatch().lease());
        assertEquals(Duration.ofSeconds(10), settings.broker().confirmTimeout());
        assertTrue(settings.dispatch().enabled());
        assertTrue(settings.migrateSchema());
        assertTrue(settings.broker().uri().isEmpty());
        assertEquals(Duration.ofSeconds(10), settings.database().statementTimeout());
        assertEquals(Duration.ofSeconds(60), settings.database().schemaConnectRetry());
    }

    @Test
    void databaseTimeoutsAreValidatedNamingTheKey() {
        assertEquals("outbox.dispatch.statement-timeout", assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.dispatch.statement-timeout", "0s"))).key());
        assertEquals("outbox.schema.connect-retry", assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.schema.connect-retry", "soon"))).key());
        assertEquals(Duration.ZERO, readWith(Map.of("outbox.schema.connect-retry", "0s")).database().schemaConnectRetry());
    }

    @Test
    void acceptsTheDocumentedDurationForms() {
        assertEquals(Duration.ofMillis(250), readWith(Map.of("outbox.dispatch.backoff-initial", "250ms")).dispatch().backoffInitial());
        assertEquals(Duration.ofMinutes(2), readWith(Map.of("outbox.dispatch.lease", "2m")).dispatch().lease());
        assertEquals(Duration.ofHours(1), readWith(Map.of("outbox.dispatch.backoff-max", "1h")).dispatch().backoffMax());
        assertEquals(Duration.ofSeconds(30), readWith(Map.of("outbox.dispatch.lease", "PT30S")).dispatch().lease());
    }

    @Test
    void invalidValueIsRefusedNamingTheKeyAndTheValue() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.dispatch.batch-size", "lots")));
        assertEquals("outbox.dispatch.batch-size", e.key());
        assertTrue(e.getMessage().contains("outbox.dispatch.batch-size") && e.getMessage().contains("lots"), e.getMessage());
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertEquals("outbox.dispatch.batch-size",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.dispatch.batch-size", "0"))).key());
        assertEquals("outbox.dispatch.max-attempts",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.dispatch.max-attempts", "-1"))).key());
        assertEquals("outbox.broker.confirm-timeout",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.broker.confirm-timeout", "soon"))).key());
        assertEquals("outbox.broker.unroutable-policy",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.broker.unroutable-policy", "drop"))).key());
        assertEquals("outbox.dispatch.enabled",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.dispatch.enabled", "yes"))).key());
        assertEquals("outbox.broker.addresses",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.broker.addresses", "host:port:x"))).key());
        assertEquals("outbox.broker.exchange",
                assertThrows(InvalidConfigurationException.class, () -> readWith(Map.of("outbox.broker.exchange", "has space"))).key());
    }

    @Test
    void leaseMustLeaveRoomForTheConfirmTimeout() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.dispatch.lease", "15s", "outbox.broker.confirm-timeout", "10s")));
        assertEquals("outbox.dispatch.lease", e.key());
    }

    @Test
    void backoffCapCannotBeBelowTheInitialDelay() {
        assertEquals("outbox.dispatch.backoff-max", assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.dispatch.backoff-initial", "10s", "outbox.dispatch.backoff-max", "1s"))).key());
    }

    @Test
    void missingKeyIsRefused() {
        Map<String, String> values = new HashMap<>(shippedDefaults());
        values.remove("outbox.broker.exchange");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> OutboxSettings.read(key -> Optional.ofNullable(values.get(key))));
        assertEquals("outbox.broker.exchange", e.key());
    }

    @Test
    void brokerUriMustBeAmqpAndItsPasswordNeverShows() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("outbox.broker.uri", "http://user:s3cret@host")));
        assertEquals("outbox.broker.uri", e.key());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());

        OutboxSettings settings = readWith(Map.of("outbox.broker.uri", "amqps://app:s3cret@rabbit.example:5671/prod",
                "outbox.broker.password", "other-secret"));
        assertEquals("amqps://app:s3cret@rabbit.example:5671/prod", settings.broker().uri().orElseThrow());
        String shown = settings.toString();
        assertFalse(shown.contains("s3cret"), shown);
        assertFalse(shown.contains("other-secret"), shown);
        assertTrue(shown.contains("amqps://rabbit.example:5671 (virtual host 'prod')"), shown);
    }
}
