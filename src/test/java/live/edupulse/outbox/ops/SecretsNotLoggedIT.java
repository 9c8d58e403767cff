package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A password given in the broker URI never reaches the server log: not at start (the settings are
 * logged), not when the broker is unreachable (the failure is logged).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecretsNotLoggedIT {

    private static final String SECRET = "s3cret-" + UUID.randomUUID();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.broker.uri", "amqp://edupulse:" + SECRET + "@127.0.0.1:29998/%2F",
                "outbox.broker.connection-timeout", "1s"));
    }

    @ArquillianResource
    URL base;

    @Test
    void brokerPasswordNeverAppearsInTheServerLog() throws Exception {
        Path log = ServerUnderTest.current().log();
        assertEquals(201, new Http(base).post("api/pulses",
                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"secret test\"}").statusCode());
        await().atMost(ofSeconds(20)).until(() -> Files.readString(log).contains("Broker unavailable: cannot connect to amqp://edupulse:***@127.0.0.1:29998"));
        String text = Files.readString(log);
        assertFalse(text.contains(SECRET), "the broker password is in the server log");
    }
}
