package live.edupulse.outbox.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every display form of the broker is built from host, port and virtual host, whatever the
 * password holds: written raw (as operators do) or percent-encoded (as URIs should be).
 */
class BrokerEndpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"ab/cd", "ab@cd", "ab:cd", "a/b@c:d", "ab%cd", "pässwörd-ñ", "пароль/ключ", "x@y/z:%w"})
    void theDisplayFormsNeverShowThePasswordWrittenRaw(String password) {
        // a raw '%' is not a valid escape: such a password must be written encoded (next test)
        if (password.contains("%")) {
            return;
        }
        String uri = "amqp://edupulse:" + password + "@rabbit.internal:5673/%2F";
        BrokerEndpoint endpoint = BrokerEndpoint.parse(uri);
        assertEquals(password, endpoint.password());
        assertEquals("edupulse", endpoint.username());
        assertEquals("rabbit.internal", endpoint.host());
        assertEquals(5673, endpoint.port());
        assertEquals("/", endpoint.virtualHost());
        assertShownWithout(uri, password, "amqp://rabbit.internal:5673 (virtual host '/')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab/cd", "ab@cd", "ab:cd", "a/b@c:d", "ab%cd", "100%", "pässwörd-ñ", "пароль/ключ", "x@y/z:%w"})
    void theDisplayFormsNeverShowThePasswordPercentEncoded(String password) {
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
        String uri = "amqps://edupulse:" + encoded + "@rabbit.internal/prod";
        BrokerEndpoint endpoint = BrokerEndpoint.parse(uri);
        assertEquals(password, endpoint.password());
        assertEquals(5671, endpoint.port());
        assertEquals("prod", endpoint.virtualHost());
        assertShownWithout(uri, password, "amqps://rabbit.internal:5671 (virtual host 'prod')");
        assertShownWithout(uri, encoded, "amqps://rabbit.internal:5671 (virtual host 'prod')");
    }

    @ParameterizedTest
    @ValueSource(strings = {"amqp://edupulse:ab%zz@rabbit/%2F", "amqp://edupulse:100%@rabbit/%2F",
            "http://edupulse:secret@rabbit/", "amqp://edupulse:secret@rabbit:99999/", "amqp://edupulse:secret@/x",
            "amqp://edupulse:secret@rabbit/a/b", "amqp://edupulse:secret@rabbit/?heartbeat=5"})
    void aRefusalQuotesNothingOfTheUri(String uri) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> OutboxSettings.read(key -> key.equals("outbox.broker.uri") ? Optional.of(uri) : defaults(key)));
        assertEquals("outbox.broker.uri", e.key());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertFalse(e.getMessage().contains("edupulse:"), e.getMessage());
        assertFalse(e.getMessage().contains("zz"), e.getMessage());
    }

    private static void assertShownWithout(String uri, String secret, String expected) {
        BrokerSettings settings = new BrokerSettings(Optional.of(uri), "127.0.0.1:5672", "/", "guest", "guest",
                "edupulse.events", true, UnroutablePolicy.ACCEPT, Duration.ofSeconds(10), Duration.ofSeconds(5), "edupulse");
        assertEquals(expected, settings.display());
        for (String shown : new String[] {settings.display(), settings.toString(), BrokerEndpoint.parse(uri).toString(),
                settings.scrub("failure mentioning " + uri + " and " + secret)}) {
            assertFalse(shown.contains(secret), shown);
        }
    }

    /** The shipped defaults file. */
    private static Optional<String> defaults(String key) {
        Properties properties = new Properties();
        try (InputStream in = BrokerEndpointTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.ofNullable(properties.getProperty(key));
    }
}
