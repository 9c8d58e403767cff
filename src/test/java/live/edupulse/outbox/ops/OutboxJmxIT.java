package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox MXBean through each server's remote JMX connector, as an operator's JConsole reaches
 * it ({@link OperatorJmx}): five deployments and undeployments leave exactly one registered (none
 * between them); its attributes show the backlog; pause stops dispatch on every path and names the
 * JMX user; resume delivers what waited; retryParked releases a parked event. Under policy retry
 * with one attempt, an event nobody is bound to parks at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OutboxJmxIT {

    private static final String NAME = "outbox";
    private static final ObjectName OUTBOX = name(OutboxMXBean.OBJECT_NAME);

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "1"));
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void operatorReadsThePausesAndResumesDispatchOverJmx() throws Exception {
        try (JMXConnector connector = OperatorJmx.connect()) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            for (int cycle = 1; cycle <= 5; cycle++) {
                deployer.deploy(NAME);
                assertEquals(1, mbeans(server, "type=Outbox"), "deployment " + cycle + ": one outbox MBean");
                assertEquals(2, mbeans(server, "type=Inbox,*"), "deployment " + cycle + ": one MBean per inbox consumer");
                deployer.undeploy(NAME);
                assertEquals(0, mbeans(server, "*"), "undeployment " + cycle + ": no MBean of the application left");
            }
            deployer.deploy(NAME);
            try {
                assertEquals(1, mbeans(server, "type=Outbox"));
                inboxAttributes(server);
                pauseAndResume(server);
                retryParked(server);
            } finally {
                // never leave the shared database paused, whatever happened
                try {
                    if (Boolean.TRUE.equals(server.getAttribute(OUTBOX, "Paused"))) {
                        server.invoke(OUTBOX, "resume", null, null);
                    }
                } finally {
                    Database.single("UPDATE outbox_control SET paused = false WHERE id = 1 RETURNING 1");
                    deployer.undeploy(NAME);
                }
            }
        }
    }

    private void pauseAndResume(MBeanServerConnection server) throws Exception {
        String type = "test_jmx_" + UUID.randomUUID().toString().substring(0, 8);
        String routed = "test.jmx." + type;
        try (BrokerProbe probe = new BrokerProbe(routed)) {
            assertEquals("CONNECTED", server.getAttribute(OUTBOX, "BrokerState"));
            assertEquals(Boolean.FALSE, server.getAttribute(OUTBOX, "Paused"));
            long publishedBefore = (Long) server.getAttribute(OUTBOX, "PublishedTotal");

            server.invoke(OUTBOX, "pause", new Object[] {"JMX test"}, new String[] {String.class.getName()});
            assertEquals(Boolean.TRUE, server.getAttribute(OUTBOX, "Paused"));
            assertEquals(OperatorJmx.USER, server.getAttribute(OUTBOX, "PausedBy"), "the JMX user is named as who paused");
            await().atMost(ofSeconds(10)).until(() -> logHas("paused for every instance by " + OperatorJmx.USER + ": JMX test"));

            burst(type, "p", routed, 3);
            server.invoke(OUTBOX, "drainNow", null, null);
            // Three timer ticks, the commit's nudge and an operator's drain pass: while paused, nothing is claimed.
            await().during(ofSeconds(3)).atMost(ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Database.single("SELECT count(*) FROM outbox_event WHERE aggregate_type = ?"
                            + " AND (dispatched_at IS NOT NULL OR lease_token IS NOT NULL)", type) == 0);
            assertTrue(probe.drainReceived(ofAggregate(type + "-p-0")).isEmpty());
            // the backlog attributes show what waits (counted every 5 s)
            await().atMost(ofSeconds(15)).until(() -> (Long) server.getAttribute(OUTBOX, "Pending") >= 3
                    && (Double) server.getAttribute(OUTBOX, "OldestPendingAgeSeconds") > 0);

            server.invoke(OUTBOX, "resume", null, null);
            assertEquals(Boolean.FALSE, server.getAttribute(OUTBOX, "Paused"));
            assertEquals(3, probe.collect(ofAggregate(type + "-p-0"), 3, ofSeconds(20)).size());
            await().atMost(ofSeconds(10)).until(() -> (Long) server.getAttribute(OUTBOX, "PublishedTotal") >= publishedBefore + 3);
        }
    }

    private void retryParked(MBeanServerConnection server) throws Exception {
        String type = "test_jmx_parked_" + UUID.randomUUID().toString().substring(0, 8);
        String routingKey = "test.jmx.parked." + type;
        long failedBefore = (Long) server.getAttribute(OUTBOX, "FailedAttemptsTotal");
        burst(type, "x", routingKey, 1);  // nobody is bound yet: returned, parked after its one attempt
        await().atMost(ofSeconds(20)).until(() -> Database.single(
                "SELECT count(*) FROM outbox_event WHERE aggregate_type = ? AND parked_at IS NOT NULL", type) == 1);
        // counted when the settle has committed, a moment after the row shows it
        await().atMost(ofSeconds(10)).until(() -> (Long) server.getAttribute(OUTBOX, "FailedAttemptsTotal") > failedBefore);
        await().atMost(ofSeconds(15)).until(() -> (Long) server.getAttribute(OUTBOX, "Parked") >= 1);
        try (BrokerProbe probe = new BrokerProbe(routingKey)) {
            int released = (Integer) server.invoke(OUTBOX, "retryParked", null, null);
            assertTrue(released >= 1, "released " + released);
            probe.next(ofAggregate(type + "-x-0"), ofSeconds(20));
        }
    }

    private static int mbeans(MBeanServerConnection server, String pattern) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName("live.edupulse:" + pattern), null);
        return names.size();
    }

    /** The statistics projection's inbox as JMX shows it; a retry of an unknown id is refused, not an error. */
    private static void inboxAttributes(MBeanServerConnection server) throws Exception {
        ObjectName statistics = name(InboxMXBean.OBJECT_NAME_PREFIX + "pulse-statistics");
        assertEquals("edupulse.pulse-statistics", server.getAttribute(statistics, "Queue"));
        await().atMost(ofSeconds(10)).until(() -> Boolean.TRUE.equals(server.getAttribute(statistics, "Connected")));
        for (String count : new String[] {"Held", "Retrying", "Parked"}) {
            assertTrue((Long) server.getAttribute(statistics, count) >= 0, count);
        }
        assertEquals(Boolean.FALSE, server.invoke(statistics, "retry", new Object[] {UUID.randomUUID().toString()},
                new String[] {String.class.getName()}));
    }

    private static boolean logHas(String text) throws Exception {
        return java.nio.file.Files.readString(ServerUnderTest.current().log()).contains(text);
    }

    private static void burst(String type, String prefix, String routingKey, int count) {
        HttpResponse<String> response = new Http(ServerUnderTest.current().application()).post("api/test/events?type=" + type
                + "&prefix=" + type + "-" + prefix + "&routingKey=" + routingKey + "&count=" + count
                + "&aggregates=1&perTransaction=1", null);
        assertEquals(200, response.statusCode(), response.body());
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
