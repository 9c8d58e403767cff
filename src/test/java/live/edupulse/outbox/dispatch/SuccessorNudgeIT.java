package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * G6 for an event committed while its aggregate's previous events are in flight. Its nudge finds
 * nothing to claim (the head rule keeps it behind them); with the timer switched off only the lane
 * that delivers the predecessors can take it, by looking again after its settle.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SuccessorNudgeIT {

    /** Rounds go on until this many caught the predecessors in flight (at most {@link #MAX_ROUNDS}). */
    private static final int CAUGHT_ENOUGH = 3;
    private static final int MAX_ROUNDS = 40;
    /** Fewer than a batch (500): a full batch makes its lane claim again anyway. */
    private static final int PREDECESSORS = 450;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.timer-enabled", "false"));
    }

    @ArquillianResource
    URL base;

    @Test
    void anEventCommittedWhileItsPredecessorsAreInFlightIsDeliveredWithoutTheTimer() throws Exception {
        String type = uniqueType("successor").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        Http http = new Http(base);
        try (EventLedger ledger = new EventLedger(routingKey)) {
            int caught = 0;
            int lost = 0;
            int rounds = 0;
            OutboxTable table = new OutboxTable(type);
            for (int round = 0; round < MAX_ROUNDS && caught < CAUGHT_ENOUGH && lost == 0; round++) {
                rounds++;
                String prefix = type + "_" + round;
                String aggregate = prefix + "-0";
                record(http, type, prefix, routingKey, PREDECESSORS);
                // once a lane has leased the predecessors, its batch cannot include the successor
                await().atMost(ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(() -> Database.single(
                        "SELECT count(*) FROM outbox_event WHERE aggregate_type = ? AND aggregate_id = ?"
                                + " AND (lease_token IS NOT NULL OR dispatched_at IS NOT NULL)", type, aggregate) > 0);
                record(http, type, prefix, routingKey, 1);
                // each round is delivered before the next one records (whose nudges would take it)
                boolean delivered = ledger.awaitAll(table.ids(), ofSeconds(60));
                lost = ledger.lost(table.ids()).size();
                // committed before the predecessors were settled: its nudge found them in flight
                caught += (int) Database.single("SELECT count(*) FROM outbox_event s WHERE s.aggregate_type = ?"
                        + " AND s.aggregate_id = ? AND s.aggregate_seq = ? AND s.occurred_at < (SELECT max(p.dispatched_at)"
                        + " FROM outbox_event p WHERE p.aggregate_type = s.aggregate_type AND p.aggregate_id = s.aggregate_id"
                        + " AND p.aggregate_seq < s.aggregate_seq)", type, aggregate, (long) PREDECESSORS + 1);
                assertTrue(delivered || lost > 0, "awaitAll and lost agree");
            }
            System.out.printf("SUCCESSOR NUDGE: %d rounds of %d events then one more on the same aggregate, timer off;"
                            + " successor committed while its predecessors were in flight in %d rounds: lost=%d duplicated=%d%n",
                    rounds, PREDECESSORS, caught, lost, ledger.duplicated().size());
            assertEquals(0, lost, "events not delivered without the timer");
            assertTrue(caught > 0, "no round committed its successor while the predecessors were in flight");
            assertEquals(List.of(), ledger.orderViolations(table.eventsPerAggregate()), "order per aggregate");
        }
    }

    private static void record(Http http, String type, String prefix, String routingKey, int events) {
        assertEquals(Integer.toString(events), http.post("api/test/events?type=" + type + "&prefix=" + prefix
                + "&routingKey=" + routingKey + "&count=" + events + "&aggregates=1&perTransaction=" + events, null).body());
    }
}
