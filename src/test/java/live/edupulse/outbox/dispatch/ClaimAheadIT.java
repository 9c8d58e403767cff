package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Pipelining within a lane: while a batch waits for the broker's confirms, its lane claims the next
 * one, so the claim's round trips overlap the broker's write to disk. With a single lane, a claim
 * made while another batch of the same events is leased and unsettled can only be such a claim
 * ahead; without it, every claim of a single lane finds nothing else of its own in flight.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClaimAheadIT {

    private static final int AGGREGATES = 300;
    private static final int EVENTS = 3_000;
    private static final int BATCH = 500;

    /** One lane; a return is a failed attempt and parks at once (for the held-back run below). */
    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.lanes", "1", "outbox.dispatch.batch-size", Integer.toString(BATCH),
                "outbox.broker.unroutable-policy", "retry", "outbox.dispatch.max-attempts", "1"));
    }

    @ArquillianResource
    URL base;

    @Test
    void aSingleLaneClaimsItsNextBatchWhileTheLastOneAwaitsConfirmsAndKeepsOrder() throws Exception {
        String type = uniqueType("ahead").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey); ClaimWatch claims = new ClaimWatch(type)) {
            assertEquals(Integer.toString(EVENTS), new Http(base).post("api/test/events?type=" + type + "&prefix=" + type
                    + "&routingKey=" + routingKey + "&count=" + EVENTS + "&aggregates=" + AGGREGATES
                    + "&perTransaction=" + EVENTS, null).body());
            ledger.awaitAll(table.ids(), ofSeconds(60));
            int lost = ledger.lost(table.ids()).size();
            List<Long> inFlight = claims.otherBatchesInFlightAtEachClaim();
            long ahead = inFlight.stream().filter(n -> n > 0).count();
            System.out.printf("CLAIM AHEAD: %d events over %d aggregates, one lane: %d claims, %d of them made while"
                            + " another batch was in flight (most at once: %d); lost=%d duplicated=%d%n",
                    EVENTS, AGGREGATES, inFlight.size(), ahead, inFlight.stream().mapToLong(n -> n).max().orElse(0),
                    lost, ledger.duplicated().size());
            assertEquals(0, lost, "events not delivered");
            assertEquals(List.of(), ledger.orderViolations(table.eventsPerAggregate()), "order per aggregate");
            assertTrue(ahead > 0, "no claim was made while the lane's previous batch awaited its confirms");
            assertTrue(inFlight.stream().allMatch(n -> n <= 1), "a lane holds its batch and at most one claimed ahead: " + inFlight);
        }
    }

    /**
     * One hot aggregate: the walk ahead finds nothing free (the batch in flight holds the only
     * aggregate), so the lane claims that aggregate's next run instead, and publishes it once the
     * batch in flight is settled.
     */
    @Test
    void aHotAggregatesNextRunIsClaimedWhileItsPreviousBatchAwaitsConfirmsAndKeepsOrder() throws Exception {
        String type = uniqueType("hot").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey); ClaimWatch claims = new ClaimWatch(type)) {
            assertEquals(Integer.toString(EVENTS), new Http(base).post("api/test/events?type=" + type + "&prefix=" + type
                    + "&routingKey=" + routingKey + "&count=" + EVENTS + "&aggregates=1&perTransaction=" + EVENTS, null).body());
            ledger.awaitAll(table.ids(), ofSeconds(60));
            int lost = ledger.lost(table.ids()).size();
            List<Long> inFlight = claims.otherBatchesInFlightAtEachClaim();
            long ahead = inFlight.stream().filter(n -> n > 0).count();
            System.out.printf("CLAIM AHEAD (one aggregate): %d events, one lane: %d claims, %d of them made while"
                            + " another batch was in flight; lost=%d duplicated=%d%n",
                    EVENTS, inFlight.size(), ahead, lost, ledger.duplicated().size());
            assertEquals(0, lost, "events not delivered");
            assertEquals(Set.of(), ledger.duplicated(), "duplicates");
            assertEquals(List.of(), ledger.orderViolations(table.eventsPerAggregate()), "order");
            assertTrue(ahead > 0, "no run of the hot aggregate was claimed while its previous batch awaited its confirms");
            assertTrue(inFlight.stream().allMatch(n -> n <= 1), "a lane holds its batch and at most one claimed ahead: " + inFlight);
        }
    }

    /**
     * The run claimed ahead follows its aggregate's events in the batch in flight only if all of
     * them were delivered. Here the batch's event 300 is returned (no queue is bound for its routing
     * key) and parks, so its aggregate is held from there: the run after the batch (501...), claimed
     * while the batch awaited its confirms, is released unpublished. (Events 301-500 went out with the
     * batch, before its outcome was known.)
     */
    @Test
    void aRunClaimedAheadIsReleasedUnpublishedWhenAnEarlierEventOfItsAggregateFailed() throws Exception {
        String type = uniqueType("held").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        int events = 1_200;
        int failing = 300;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey)) {
            // one statement, so the first claim sees all of them: 1..500, then the run 501..1000 ahead
            Database.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                    SELECT gen_random_uuid(), ?, ?, n, CASE WHEN n = ? THEN ? ELSE ? END, '{}'
                      FROM generate_series(1, ?) AS n""", type, type + "-0", failing, "unbound." + type, routingKey, events);
            await("the returned event parks").atMost(ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> table.count("aggregate_seq = " + failing + " AND parked_at IS NOT NULL") == 1);
            await("nothing of the aggregate stays leased").atMost(ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> table.count("dispatched_at IS NULL AND lease_token IS NOT NULL") == 0);
            long publishedAfterTheFailure = table.count("aggregate_seq > " + BATCH + " AND dispatched_at IS NOT NULL");
            long untried = table.count("aggregate_seq > " + BATCH + " AND dispatched_at IS NULL AND attempts = 0");
            System.out.printf("CLAIM AHEAD (held back): %d events, event %d returned and parked; after the batch: %d"
                            + " dispatched, %d waiting untried; delivered distinct=%d lost=0 duplicated=%d%n",
                    events, failing, publishedAfterTheFailure, untried, ledger.distinct(), ledger.duplicated().size());
            assertEquals(0, publishedAfterTheFailure, "events after the batch were published behind a failed one");
            assertEquals(events - BATCH, untried, "the events after the batch wait behind the parked one, untried");
            assertTrue(ledger.distinct() <= BATCH - 1, "delivered beyond the batch: " + ledger.distinct());
        }
    }

    /**
     * Records, at every claim of one aggregate type's events, how many other batches (lease tokens)
     * of that type were leased and unsettled at that moment, from a statement trigger in the
     * claiming transaction. Removed at close; one left behind by a test JVM that was killed is
     * removed before a new one is made (it would otherwise run at every update of the table).
     */
    private static final class ClaimWatch implements AutoCloseable {

        private final String type;
        private final String name;

        ClaimWatch(String type) throws SQLException {
            this.type = type;
            this.name = "claim_watch_" + type.toLowerCase();
            try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
                sql.execute("SET lock_timeout = '30s'");
                for (String leftOver : Database.strings("SELECT tgname FROM pg_trigger WHERE tgrelid = 'outbox_event'::regclass"
                        + " AND tgname LIKE 'claim\\_watch\\_%'")) {
                    drop(sql, leftOver);
                }
                drop(sql, name); // a table or function made before a killed JVM got to its trigger
                sql.execute("CREATE TABLE " + name + " (claimed_at timestamptz DEFAULT clock_timestamp(), others bigint)");
                sql.execute("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "IF EXISTS (SELECT 1 FROM claimed WHERE aggregate_type = '" + type + "' AND lease_token IS NOT NULL) THEN "
                        + "INSERT INTO " + name + " (others) SELECT count(DISTINCT e.lease_token) FROM outbox_event e "
                        + "WHERE e.aggregate_type = '" + type + "' AND e.dispatched_at IS NULL AND e.lease_token IS NOT NULL "
                        + "AND e.lease_token NOT IN (SELECT lease_token FROM claimed WHERE lease_token IS NOT NULL); "
                        + "END IF; RETURN NULL; END $$");
                sql.execute("CREATE TRIGGER " + name + " AFTER UPDATE ON outbox_event REFERENCING NEW TABLE AS claimed "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION " + name + "()");
            }
        }

        List<Long> otherBatchesInFlightAtEachClaim() throws SQLException {
            return Database.longs("SELECT others FROM " + name + " ORDER BY claimed_at");
        }

        @Override
        public void close() throws SQLException {
            try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
                sql.execute("SET lock_timeout = '30s'");
                drop(sql, name);
            }
        }

        private static void drop(Statement sql, String watch) throws SQLException {
            sql.execute("DROP TRIGGER IF EXISTS " + watch + " ON outbox_event");
            sql.execute("DROP FUNCTION IF EXISTS " + watch + "()");
            sql.execute("DROP TABLE IF EXISTS " + watch);
        }
    }
}
