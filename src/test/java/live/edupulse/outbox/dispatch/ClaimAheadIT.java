package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.lanes", "1", "outbox.dispatch.batch-size", Integer.toString(BATCH)));
    }

    @ArquillianResource
    URL base;

    @Test
    void aSingleLaneClaimsItsNextBatchWhileTheLastOneAwaitsConfirmsAndKeepsOrder() throws Exception {
        drainWithOneLane("ahead", AGGREGATES);
    }

    /**
     * One hot aggregate: the walk ahead finds nothing free (the batch in flight holds the only
     * aggregate), so the lane claims that aggregate's next run instead, and publishes it once the
     * batch in flight is settled.
     */
    @Test
    void aHotAggregatesNextRunIsClaimedWhileItsPreviousBatchAwaitsConfirmsAndKeepsOrder() throws Exception {
        drainWithOneLane("hot", 1);
    }

    /**
     * Records {@value #EVENTS} events over {@code aggregates} in one transaction, awaits them all
     * and checks that claims were made while the lane's previous batch was in flight, at most one
     * at a time, with every event delivered once and in order.
     */
    private void drainWithOneLane(String label, int aggregates) throws Exception {
        String type = uniqueType(label).replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey); ClaimWatch claims = new ClaimWatch(type)) {
            assertEquals(Integer.toString(EVENTS), new Http(base).post("api/test/events?type=" + type + "&prefix=" + type
                    + "&routingKey=" + routingKey + "&count=" + EVENTS + "&aggregates=" + aggregates
                    + "&perTransaction=" + EVENTS, null).body());
            ledger.awaitAll(table.ids(), ofSeconds(60));
            int lost = ledger.lost(table.ids()).size();
            List<Long> inFlight = claims.otherBatchesInFlightAtEachClaim();
            long ahead = inFlight.stream().filter(n -> n > 0).count();
            System.out.printf("CLAIM AHEAD: %d events over %d aggregates, one lane: %d claims, %d of them made while"
                            + " another batch was in flight (most at once: %d); lost=%d duplicated=%d%n",
                    EVENTS, aggregates, inFlight.size(), ahead, inFlight.stream().mapToLong(n -> n).max().orElse(0),
                    lost, ledger.duplicated().size());
            assertEquals(0, lost, "events not delivered");
            assertEquals(Set.of(), ledger.duplicated(), "duplicates");
            assertEquals(List.of(), ledger.orderViolations(table.eventsPerAggregate()), "order per aggregate");
            assertTrue(ahead > 0, "no claim was made while the lane's previous batch awaited its confirms");
            assertTrue(inFlight.stream().allMatch(n -> n <= 1), "a lane holds its batch and at most one claimed ahead: " + inFlight);
        }
    }
}
