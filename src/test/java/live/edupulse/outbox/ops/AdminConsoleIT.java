package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dispatcher's timer in WildFly's management model, driven with jboss-cli as an operator
 * would: visible, suspend, trigger, activate. Events are inserted straight into the table, so no
 * after-commit nudge can deliver them: only the timer (or its trigger) can.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminConsoleIT {

    private static final String TIMER_SERVICE =
            "/deployment=edupulse.war/subsystem=ejb3/singleton-bean=OutboxDispatcher/service=timer-service";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @Test
    void dispatcherTimerCanBeSuspendedTriggeredAndActivatedWithJbossCli() throws Exception {
        String timer = timerId();
        String routingKey = uniqueType("console");
        try (BrokerProbe probe = new BrokerProbe(routingKey)) {
            cli(TIMER_SERVICE + "/timer=" + timer + ":suspend");
            assertTrue(cli(TIMER_SERVICE + "/timer=" + timer + ":read-attribute(name=active)").contains("\"result\" => false"));

            String first = insertPendingEvent(routingKey);
            cli(TIMER_SERVICE + "/timer=" + timer + ":trigger");
            probe.next(ofAggregate(first), ofSeconds(15));

            cli(TIMER_SERVICE + "/timer=" + timer + ":activate");
            assertTrue(cli(TIMER_SERVICE + "/timer=" + timer + ":read-attribute(name=active)").contains("\"result\" => true"));
            String second = insertPendingEvent(routingKey);
            probe.next(ofAggregate(second), ofSeconds(15));
        } finally {
            // leave the timer running whatever happened (activating an active timer is refused)
            if (cli(TIMER_SERVICE + "/timer=" + timer + ":read-attribute(name=active)").contains("\"result\" => false")) {
                cli(TIMER_SERVICE + "/timer=" + timer + ":activate");
            }
        }
    }

    @Test
    void datasourceStatisticsAreEnabled() throws Exception {
        String pool = cli("/subsystem=datasources/data-source=EduPulseDS/statistics=pool:read-resource(include-runtime=true)");
        assertTrue(pool.contains("\"outcome\" => \"success\"") && pool.contains("\"ActiveCount\""), pool);
        assertTrue(cli("/subsystem=datasources/data-source=EduPulseDS:read-attribute(name=statistics-enabled)")
                .contains("\"result\" => true"));
    }

    private static String timerId() throws Exception {
        String names = cli(TIMER_SERVICE + ":read-children-names(child-type=timer)");
        // the dispatcher has one automatic timer; its id is a new UUID per deployment
        Matcher id = Pattern.compile("\"([0-9a-f-]{36})\"").matcher(names);
        assertTrue(id.find(), names);
        return id.group(1);
    }

    private static String insertPendingEvent(String eventType) throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        Database.insertPendingEvent("test_aggregate", aggregateId, eventType);
        return aggregateId;
    }

    /** Runs one jboss-cli command against the running server and returns its output. */
    static String cli(String command) throws IOException, InterruptedException {
        Path cli = Path.of(System.getProperty("jboss.home"), "bin", "jboss-cli.sh");
        Process process = new ProcessBuilder(List.of(cli.toString(), "--connect", "--command=" + command))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "jboss-cli finished");
        assertEquals(0, process.exitValue(), command + "\n" + output);
        return output;
    }
}
