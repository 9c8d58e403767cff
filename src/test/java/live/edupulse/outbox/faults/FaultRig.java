package live.edupulse.outbox.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import live.edupulse.outbox.testing.Rabbitmqctl;
import live.edupulse.outbox.testing.ServerMetrics;

/** What the fault tests share: the test WAR, firing bursts, rabbitmqctl, and the verdict of a scenario. */
final class FaultRig {

    private FaultRig() {
    }

    /** The shipped WAR plus the test support classes (the burst endpoint), as a file for a test-started server. */
    static Path testWar() {
        return Deployments.outboxFile("fault-test.war");
    }

    /**
     * Records {@code count} events through the server's real recording path, 50 per transaction,
     * round-robin over the aggregates {@code <aggregateType>-0} to {@code -<aggregates - 1>}.
     */
    static void burst(URL server, String aggregateType, String routingKey, int count, int aggregates) {
        burst(server, aggregateType, aggregateType, routingKey, count, aggregates);
    }

    /** As {@link #burst(URL, String, String, int, int)}, on the aggregates {@code <prefix>-<n>}. */
    static void burst(URL server, String aggregateType, String prefix, String routingKey, int count, int aggregates) {
        HttpResponse<String> response = new Http(server).post("api/test/events?type=" + aggregateType + "&prefix="
                + prefix + "&routingKey=" + routingKey + "&count=" + count + "&aggregates=" + aggregates
                + "&perTransaction=50", null);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(Integer.toString(count), response.body());
    }

    /** One of a server's counters or gauges; 0 when it is not there yet. */
    static double metric(URL server, String name) {
        return ServerMetrics.sample(new Http(server), name, "").orElse(0);
    }

    static String unique(String name) {
        return name + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Runs rabbitmqctl with the given arguments; fails the test if it fails. */
    static String rabbitmqctl(String... arguments) throws IOException, InterruptedException {
        return Rabbitmqctl.run(arguments);
    }

    /**
     * The verdict after a fault: every committed event delivered, duplicates only among events
     * leased at some moment while the fault lasted, first deliveries in order per aggregate, no attempt spent, nothing parked.
     */
    static void assertNothingLost(String fault, OutboxTable table, EventLedger ledger, Set<String> leasedAtFault,
                                  int fired, long startedNanos) throws Exception {
        Set<String> expected = table.ids();
        assertEquals(fired, expected.size(), "events committed");
        boolean complete = ledger.awaitAll(expected, Duration.ofMinutes(3));
        Set<String> lost = ledger.lost(expected);
        Set<String> duplicated = ledger.duplicated();
        Set<String> unexplained = new HashSet<>(duplicated);
        unexplained.removeAll(leasedAtFault);
        System.out.printf("FAULT %-32s events=%d lost=%d duplicated=%d (leased at the fault: %d, duplicates not leased: %d) "
                        + "deliveries=%d broker-redeliveries=%d ledger-reconnects=%d time=%.1fs%n", fault, fired, lost.size(), duplicated.size(),
                leasedAtFault.size(), unexplained.size(), ledger.total(), ledger.redeliveries(), ledger.reconnects(),
                (System.nanoTime() - startedNanos) / 1e9);
        assertTrue(complete, fault + ": " + lost.size() + " events not delivered");
        assertEquals(Set.of(), lost, fault + ": lost events");
        assertEquals(Set.of(), unexplained, fault + ": duplicates of events that were not leased at the fault");
        Map<String, Integer> perAggregate = table.eventsPerAggregate();
        assertEquals(List.of(), ledger.orderViolations(perAggregate), fault + ": per-aggregate order");
        // a message is confirmed (and consumed) before its row is settled: give the last settle a moment
        await(fault + ": every row settled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> table.count("dispatched_at IS NULL") == 0);
        assertEquals(0, table.count("attempts > 0"), fault + ": a broker-wide fault must not spend attempts");
        assertEquals(0, table.count("parked_at IS NOT NULL"), fault + ": a broker-wide fault must not park events");
    }
}
