package live.edupulse.outbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class InboxSettingsTest {

    private static InboxSettings readWith(Map<String, String> overrides) {
        Properties properties = new Properties();
        try (InputStream in = InboxSettingsTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> values = new HashMap<>();
        properties.forEach((key, value) -> values.put((String) key, (String) value));
        values.putAll(overrides);
        return InboxSettings.read(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void shippedDefaultsTakeBatchesOfAQuarterOfThePrefetch() {
        InboxSettings settings = readWith(Map.of());
        assertEquals(1000, settings.prefetch());
        assertEquals(250, settings.batchSize());
        assertEquals(1, settings.workers());
    }

    @Test
    void aBatchLargerThanThePrefetchIsRefusedNamingTheKey() {
        InvalidConfigurationException refused = assertThrows(InvalidConfigurationException.class,
                () -> readWith(Map.of("inbox.prefetch", "100", "inbox.batch-size", "101")));
        assertEquals("inbox.batch-size", refused.key());
        assertTrue(refused.getMessage().contains("inbox.prefetch (100)"), refused.getMessage());
        assertEquals(100, readWith(Map.of("inbox.prefetch", "100", "inbox.batch-size", "100")).batchSize());
    }
}
