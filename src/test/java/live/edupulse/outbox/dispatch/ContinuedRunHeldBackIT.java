package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.OutboxTable;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A hot aggregate's next run, claimed while the batch holding the aggregate awaits its confirms,
 * follows that batch only if all of the aggregate's events in it were delivered. Here one of them
 * is returned (no queue is bound for its routing key) and parks at its first attempt, so its
 * aggregate is held from there: the run claimed ahead is released unpublished. (The events after
 * the returned one in the same batch went out with it, before its outcome was known.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ContinuedRunHeldBackIT {

    private static final int BATCH = 500;
    private static final int EVENTS = 1_200;
    private static final int RETURNED = 300;

    /** One lane; a return is a failed attempt, and one failed attempt parks. */
    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.lanes", "1", "outbox.dispatch.batch-size", Integer.toString(BATCH),
                "outbox.broker.unroutable-policy", "retry", "outbox.dispatch.max-attempts", "1"));
    }

    @Test
    void aRunClaimedAheadIsReleasedUnpublishedWhenAnEarlierEventOfItsAggregateFailed() throws Exception {
        String type = uniqueType("held").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey); ClaimWatch watch = new ClaimWatch(type)) {
            // one statement, so that one claim sees a whole batch of the aggregate
            Database.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                    SELECT gen_random_uuid(), ?, ?, n, CASE WHEN n = ? THEN ? ELSE ? END, '{}'
                      FROM generate_series(1, ?) AS n""", type, type + "-0", RETURNED, "unbound." + type, routingKey, EVENTS);
            await("the returned event parks").atMost(ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> table.count("aggregate_seq = " + RETURNED + " AND parked_at IS NOT NULL") == 1);
            await("nothing of the aggregate stays leased").atMost(ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> table.count("dispatched_at IS NULL AND lease_token IS NOT NULL") == 0);

            List<ClaimWatch.ClaimSeen> claims = watch.claims();
            ClaimWatch.ClaimSeen failed = claims.stream().filter(c -> c.holds(RETURNED)).findFirst().orElseThrow();
            boolean runClaimedAhead = claims.stream()
                    .anyMatch(c -> c.firstSeq() == failed.lastSeq() + 1 && c.othersInFlight() > 0);
            long publishedAfter = table.count("aggregate_seq > " + failed.lastSeq() + " AND dispatched_at IS NOT NULL");
            long waiting = table.count("aggregate_seq > " + failed.lastSeq() + " AND dispatched_at IS NULL AND attempts = 0");
            Set<String> dispatched = new HashSet<>(Database.strings(
                    "SELECT id::text FROM outbox_event WHERE aggregate_type = ? AND dispatched_at IS NOT NULL", type));
            ledger.awaitAll(dispatched, ofSeconds(30));
            int lost = ledger.lost(dispatched).size();
            System.out.println(String.format("FAULT %-32s events=%d lost=%d duplicated=%d claims=%s;"
                            + " after the returned event's batch: %d published, %d waiting untried",
                    "returned event, run claimed ahead", EVENTS, lost, ledger.duplicated().size(), claims, publishedAfter, waiting));
            assertEquals(0, lost, "dispatched events not delivered");
            assertTrue(runClaimedAhead, "the aggregate's next run was not claimed while the batch holding event "
                    + RETURNED + " was in flight: " + claims);
            assertEquals(0, publishedAfter, "events after the batch were published behind the returned one");
            assertEquals(EVENTS - failed.lastSeq(), waiting, "the events after the batch wait behind the parked one, untried");
            assertEquals(0, ledger.duplicated().size(), "duplicates");
        }
    }
}
