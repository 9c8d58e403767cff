package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.ops.OutboxAdministration;
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

/**
 * A poison event parks and holds back only its own aggregate; an operator's retry releases it and
 * the aggregate drains in order.
 */
@ExtendWith(ArquillianExtension.class)
class PoisonIsolationIT {

    private static final String AGGREGATE = "test_poison";

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "3",
                "outbox.dispatch.backoff-initial", "100ms",
                "outbox.dispatch.backoff-max", "200ms"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Inject
    OutboxAdministration administration;

    @Test
    void parkedEventHoldsBackOnlyItsAggregateUntilAnOperatorRetriesIt() throws Exception {
        String poisoned = UUID.randomUUID().toString();
        String poison = uniqueType("poison");     // nobody is bound to it yet
        String flowing = uniqueType("flowing");
        try (BrokerProbe probe = new BrokerProbe(flowing)) {
            service.fire(new TestEvent(AGGREGATE, poisoned, poison, Map.of("n", 1)));
            for (int n = 2; n <= 5; n++) {
                service.fire(new TestEvent(AGGREGATE, poisoned, flowing, Map.of("n", n)));
            }
            await().atMost(ofSeconds(30)).until(() -> rows.ofAggregate(AGGREGATE, poisoned).get(0).parkedAt() != null);

            // Ten other aggregates keep flowing past the parked one.
            for (int i = 0; i < 10; i++) {
                String other = UUID.randomUUID().toString();
                service.fire(new TestEvent(AGGREGATE, other, flowing, Map.of("other", i)));
                probe.next(ofAggregate(other), ofSeconds(15));
            }
            List<OutboxEvent> held = rows.ofAggregate(AGGREGATE, poisoned);
            assertEquals(3, held.get(0).attempts());
            assertTrue(held.subList(1, 5).stream().allMatch(e -> e.dispatchedAt() == null && e.attempts() == 0),
                    "the parked event's later events wait, untried");
            assertTrue(probe.drainReceived(ofAggregate(poisoned)).isEmpty(), "nothing of the parked aggregate was sent");

            // The operator binds a queue for the poison's routing key, then retries the event.
            try (BrokerProbe fixed = new BrokerProbe(poison, flowing)) {
                assertTrue(administration.retry(held.get(0).id(), "test-operator"));
                List<BrokerProbe.Delivery> drained = fixed.collect(ofAggregate(poisoned), 5, ofSeconds(30));
                assertEquals(List.of(1L, 2L, 3L, 4L, 5L), drained.stream().map(d -> d.header("aggregate_seq")).toList());
            }
        }
    }
}
