package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** G6: with the timer switched off, only the after-commit nudge can deliver, and it does. */
@ExtendWith(ArquillianExtension.class)
class AfterCommitNudgeIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.timer-enabled", "false"));
    }

    @Inject
    EventFiringService service;

    @Test
    void committedEventsAreDeliveredWithoutTheTimer() throws Exception {
        String eventType = uniqueType("nudged");
        try (BrokerProbe probe = new BrokerProbe(eventType)) {
            for (int i = 1; i <= 5; i++) {
                String aggregateId = UUID.randomUUID().toString();
                service.fire(new TestEvent("test_aggregate", aggregateId, eventType, Map.of("n", i)));
                BrokerProbe.Delivery delivery = probe.next(ofAggregate(aggregateId), ofSeconds(10));
                assertEquals(1L, delivery.header("aggregate_seq"));
            }
        }
    }
}
