package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.recording.OutboxEvent;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Under policy retry, a return is the event's failure: attempts, backoff, last_error, parked at the maximum. */
@ExtendWith(ArquillianExtension.class)
class UnroutablePolicyRetryIT {

    private static final String AGGREGATE = "test_aggregate";

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "3",
                "outbox.dispatch.backoff-initial", "200ms",
                "outbox.dispatch.backoff-max", "400ms"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Test
    void returnedEventIsRetriedWithItsReasonThenParkedWhileOtherAggregatesFlow() throws Exception {
        String stuck = UUID.randomUUID().toString();
        String nobodyListens = uniqueType("unroutable");
        service.fire(new TestEvent(AGGREGATE, stuck, nobodyListens, Map.of("n", 1)),
                new TestEvent(AGGREGATE, stuck, nobodyListens, Map.of("n", 2)));

        await().atMost(ofSeconds(20)).until(() -> rows.ofAggregate(AGGREGATE, stuck).get(0).attempts() >= 1);
        OutboxEvent retrying = rows.ofAggregate(AGGREGATE, stuck).get(0);
        assertNull(retrying.dispatchedAt(), "a return under policy retry is not a delivery");
        assertTrue(retrying.lastError().contains("NO_ROUTE"), retrying.lastError());
        assertNotNull(retrying.nextAttemptAt());

        await().atMost(ofSeconds(30)).until(() -> rows.ofAggregate(AGGREGATE, stuck).get(0).parkedAt() != null);
        OutboxEvent parked = rows.ofAggregate(AGGREGATE, stuck).get(0);
        assertEquals(3, parked.attempts());
        assertNull(parked.dispatchedAt());
        OutboxEvent behindIt = rows.ofAggregate(AGGREGATE, stuck).get(1);
        assertEquals(0, behindIt.attempts(), "the later event of the parked aggregate waits without being tried");
        assertNull(behindIt.dispatchedAt());

        // Another aggregate is not held back by the parked one.
        String flowing = UUID.randomUUID().toString();
        String routed = uniqueType("routed");
        try (BrokerProbe probe = new BrokerProbe(routed)) {
            service.fire(new TestEvent(AGGREGATE, flowing, routed, Map.of()));
            probe.next(ofAggregate(flowing), ofSeconds(15));
        }
        assertEquals(3, rows.ofAggregate(AGGREGATE, stuck).get(0).attempts(), "parked: no more attempts");
    }
}
