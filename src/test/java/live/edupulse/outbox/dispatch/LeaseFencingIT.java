package live.edupulse.outbox.dispatch;

import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.recording.OutboxEvent;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Claim and settle against the real database, with the deployment's own dispatcher switched off so
 * the test is the only claimer: per-aggregate exclusion (G4) and lease-token fencing (G5).
 */
@ExtendWith(ArquillianExtension.class)
class LeaseFencingIT {

    private static final String AGGREGATE = "test_aggregate";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int EVERYTHING = 10_000;

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.enabled", "false"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Inject
    OutboxStore store;

    @Test
    void aggregateWhoseHeadIsLeasedGivesNothingToASecondClaimer() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        String type = uniqueType("claim");
        service.fire(event(a, type), event(a, type), event(b, type));

        Claim claimed = store.claim(UUID.randomUUID(), AggregateKey.START, EVERYTHING, EVERYTHING, LEASE);
        List<ClaimedEvent> first = ours(claimed, a, b);
        assertEquals(List.of(a + "#1", a + "#2", b + "#1").stream().sorted().toList(),
                first.stream().map(e -> e.aggregateId() + "#" + e.aggregateSeq()).sorted().toList());

        service.fire(event(a, type));
        Claim secondClaim = store.claim(UUID.randomUUID(), AggregateKey.START, EVERYTHING, EVERYTHING, LEASE);
        List<ClaimedEvent> second = ours(secondClaim, a, b);
        // give back whatever the two claims leased (other tests' rows too) before asserting
        release(claimed);
        release(secondClaim);
        assertEquals(List.of(), second, "a#3 must wait: a#1 and a#2 are leased and not dispatched");
    }

    @Test
    void settleWithAStaleLeaseTokenChangesNothing() {
        String a = UUID.randomUUID().toString();
        String type = uniqueType("fencing");
        service.fire(event(a, type), event(a, type));

        Claim stale = claimOurs(a);
        assertEquals(2, stale.events().size());
        // The first holder stalls past its lease; another dispatcher takes the events over.
        stale.events().forEach(e -> rows.expireLease(e.id()));
        Claim current = claimOurs(a);
        assertEquals(2, current.events().size());

        SettleResult late = store.settle(dispatched(stale));
        assertEquals(0, late.dispatched());
        assertEquals(2, late.fencedOff());
        for (OutboxEvent row : rows.ofAggregate(AGGREGATE, a)) {
            assertNull(row.dispatchedAt(), "the stale holder must not mark anything dispatched");
            assertEquals(current.token(), row.leaseToken(), "the current lease is untouched");
        }

        SettleResult onTime = store.settle(dispatched(current));
        assertEquals(2, onTime.dispatched());
        for (OutboxEvent row : rows.ofAggregate(AGGREGATE, a)) {
            assertNotNull(row.dispatchedAt());
            assertNull(row.leaseToken());
        }
    }

    private void release(Claim claim) {
        store.settle(new Settlement(claim.token(), List.of(), List.of(), claim.events().stream().map(ClaimedEvent::id).toList()));
    }

    /** Claims everything eligible, keeps this test's events and gives the others back at once. */
    private Claim claimOurs(String aggregateId) {
        Claim claim = store.claim(UUID.randomUUID(), AggregateKey.START, EVERYTHING, EVERYTHING, LEASE);
        List<ClaimedEvent> ours = ours(claim, aggregateId);
        release(new Claim(claim.token(), claim.events().stream().filter(e -> !ours.contains(e)).toList()));
        return new Claim(claim.token(), ours);
    }

    private static List<ClaimedEvent> ours(Claim claim, String... aggregateIds) {
        List<String> wanted = List.of(aggregateIds);
        return claim.events().stream().filter(e -> wanted.contains(e.aggregateId())).toList();
    }

    private static Settlement dispatched(Claim claim) {
        return new Settlement(claim.token(),
                claim.events().stream().map(e -> new Settlement.Dispatched(e.id(), false)).toList(), List.of(), List.of());
    }

    private static TestEvent event(String aggregateId, String type) {
        return new TestEvent(AGGREGATE, aggregateId, type, Map.of());
    }
}
