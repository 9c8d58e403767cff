package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import live.edupulse.outbox.testing.Rabbitmqctl;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploy and redeploy five times while events flow: every time, the broker's count of the
 * application's connections returns to its baseline, no AMQP thread is left in the server, and no
 * row is left leased (no half-settled batch).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CleanShutdownIT {

    private static final String NAME = "outbox";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void undeployAndRedeployFiveTimesLeavesNothingBehind() throws Exception {
        int baseline = applicationConnections();
        Http http = new Http(ServerUnderTest.current().application());
        for (int cycle = 1; cycle <= 5; cycle++) {
            deployer.deploy(NAME);
            String author = UUID.randomUUID().toString();
            List<String> pulses = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                var created = http.post("api/pulses", "{\"authorId\":\"" + author + "\",\"title\":\"cycle " + i + "\"}");
                assertEquals(201, created.statusCode());
                pulses.add(created.body().replaceAll(".*\"id\":\"([0-9a-f-]{36})\".*", "$1"));
            }
            long undeployStarted = System.nanoTime();
            deployer.undeploy(NAME);
            System.out.printf("CLEAN SHUTDOWN cycle %d: undeploy took %.2fs%n", cycle, (System.nanoTime() - undeployStarted) / 1e9);

            // the broker lists a connection until it has processed its close, a moment after the undeploy
            await("cycle " + cycle + ": broker connections back to baseline").atMost(ofSeconds(10)).pollInterval(ofMillis(200))
                    .until(() -> applicationConnections() == baseline);
            // a closed connection's I/O thread ends just after the close handshake, so this waits a little
            try {
                await().atMost(ofSeconds(10)).pollInterval(ofMillis(100))
                        .until(() -> !ServerUnderTest.current().threadDump().contains("AMQP Connection"));
            } catch (ConditionTimeoutException e) {
                fail("cycle " + cycle + ": no AMQP thread left:\n" + amqpThreads(ServerUnderTest.current().threadDump()));
            }
            assertEquals(0, OutboxTable.of("learning_pulse", pulses).count("lease_token IS NOT NULL"),
                    "cycle " + cycle + ": no batch left half-settled");
        }
    }

    /** The AMQP threads of a thread dump, each with the first lines of its stack. */
    private static String amqpThreads(String dump) {
        StringBuilder threads = new StringBuilder();
        for (String thread : dump.split("\n\s*\n")) {
            if (thread.contains("AMQP Connection")) {
                thread.lines().limit(12).forEach(line -> threads.append(line).append('\n'));
            }
        }
        return threads.toString();
    }

    /** The broker's connections named by the application ("edupulse-outbox ..."). */
    private static int applicationConnections() throws IOException, InterruptedException {
        String list = Rabbitmqctl.run("-q", "list_connections", "client_properties");
        int count = 0;
        for (int at = list.indexOf("edupulse-outbox "); at >= 0; at = list.indexOf("edupulse-outbox ", at + 1)) {
            count++;
        }
        return count;
    }
}
