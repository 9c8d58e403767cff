package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A password given in the broker URI, holding {@code /}, {@code @}, {@code :}, {@code %} and
 * non-ASCII letters, never shows: not in the server log (the settings are logged at start, the
 * failure to connect when the broker is unreachable), not in health, metrics or admin responses.
 * Health data name no host or port either.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecretsNotLoggedIT {

    /** In every form the password takes (raw in the URI, decoded, re-encoded) this part is intact. */
    private static final String SECRET = "s3cret" + UUID.randomUUID().toString().substring(0, 8);
    /** Written raw in the URI, as an operator would: '%' encoded as %25, the rest as it is. */
    private static final String PASSWORD_IN_URI = SECRET + "/ab@cd:ef%25\u00e4\u00df\u00f1";
    private static final String PASSWORD = SECRET + "/ab@cd:ef%\u00e4\u00df\u00f1";
    private static final int UNREACHABLE_PORT = 29998;

    @Deployment(testable = false)
    static WebArchive deployment() {
        // the config file is read as ISO-8859-1 on one server and UTF-8 on the other: \\u escapes read the same on both
        String escaped = PASSWORD_IN_URI.replace("\u00e4", "\\u00e4").replace("\u00df", "\\u00df").replace("\u00f1", "\\u00f1");
        return Deployments.outbox(Map.of("outbox.broker.uri", "amqp://edupulse:" + escaped + "@127.0.0.1:" + UNREACHABLE_PORT + "/%2F",
                "outbox.broker.connection-timeout", "1s"));
    }

    @ArquillianResource
    URL base;

    @Test
    void brokerPasswordNeverAppearsInLogHealthMetricsOrAdminResponses() throws Exception {
        ServerUnderTest server = ServerUnderTest.current();
        Path log = server.log();
        assertEquals(201, new Http(base).post("api/pulses",
                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"secret test\"}").statusCode());
        await().atMost(ofSeconds(20)).until(() -> Files.readString(log)
                .contains("Broker unavailable: cannot connect to amqp://127.0.0.1:" + UNREACHABLE_PORT + " (virtual host '/')"));
        Http health = new Http(server.health());
        await().atMost(ofSeconds(20)).until(() -> health.get("health/ready").body().contains("dispatchPausedBecause"));

        String ready = outboxChecks(health.get("health/ready"));
        String live = outboxChecks(health.get("health/live"));
        String metrics = new Http(base).get("metrics").body();
        String summary = AdminApiIT.request("GET", base + "api/outbox/summary", AdminApiIT.ADMIN, null).body();
        String pending = AdminApiIT.request("GET", base + "api/outbox/events?status=pending", AdminApiIT.ADMIN, null).body();
        System.out.println("SecretsNotLoggedIT on " + server + ": ready " + ready + ", live " + live);

        Map<String, String> shown = Map.of("server log", Files.readString(log), "health/ready", ready, "health/live", live,
                "metrics", metrics, "admin summary", summary, "admin events", pending);
        for (Map.Entry<String, String> text : shown.entrySet()) {
            for (String secret : List.of(SECRET, PASSWORD, PASSWORD_IN_URI)) {
                assertFalse(text.getValue().contains(secret), "the broker password is in the " + text.getKey());
            }
        }
        for (String health_ : List.of(ready, live)) {
            assertFalse(health_.contains(String.valueOf(UNREACHABLE_PORT)), "a port in health data: " + health_);
            assertFalse(health_.contains("127.0.0.1"), "a host in health data: " + health_);
            assertFalse(health_.contains("Exception"), "exception text in health data: " + health_);
        }
    }

    /** The outbox's own checks of a health response, as JSON text. */
    private static String outboxChecks(HttpResponse<String> response) throws Exception {
        StringBuilder checks = new StringBuilder();
        for (JsonNode check : new ObjectMapper().readTree(response.body()).get("checks")) {
            if (check.path("name").asText().startsWith("outbox-")) {
                checks.append(check);
            }
        }
        return checks.toString();
    }
}
