package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retention deletes old dispatched rows and never pending or parked ones. */
@ExtendWith(ArquillianExtension.class)
class RetentionIT {

    private static final String AGGREGATE = "test_aggregate";

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.retention.dispatched-age", "2s",
                "outbox.retention.chunk-size", "500",
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "1"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Test
    void dispatchedRowsOlderThanTheAgeAreDeletedParkedOnesStay() {
        // The shared test database may hold millions of dispatched rows of earlier runs, which the
        // job would delete first (table-wide, in chunks): clear them, so the job's work is ours.
        rows.deleteDispatched();
        String delivered = UUID.randomUUID().toString();
        String parked = UUID.randomUUID().toString();
        String routed = uniqueType("retention");
        try (var probe = new live.edupulse.outbox.testing.BrokerProbe(routed)) {
            // five delivered events, and one that parks at once (nobody listens, retry, 1 attempt)
            for (int i = 0; i < 5; i++) {
                service.fire(new TestEvent(AGGREGATE, delivered, routed, Map.of("n", i)));
            }
            service.fire(new TestEvent(AGGREGATE, parked, uniqueType("nobody-listens"), Map.of()));
            await().atMost(ofSeconds(20)).until(() -> rows.ofAggregate(AGGREGATE, delivered).stream()
                    .allMatch(row -> row.dispatchedAt() != null));
            await().atMost(ofSeconds(20)).until(() -> rows.one(AGGREGATE, parked).parkedAt() != null);

            java.time.Instant lastDispatched = rows.ofAggregate(AGGREGATE, delivered).stream()
                    .map(row -> row.dispatchedAt().toInstant()).max(java.util.Comparator.naturalOrder()).orElseThrow();
            await().atMost(ofSeconds(60)).until(() -> rows.ofAggregate(AGGREGATE, delivered).isEmpty());
            // what a replay may promise: history after this instant is complete
            java.time.Instant horizon = rows.retentionHorizon();
            assertNotNull(horizon, "retention records how far it has deleted");
            assertTrue(!horizon.isBefore(lastDispatched), "the horizon " + horizon + " covers the deleted rows, dispatched until "
                    + lastDispatched);
            assertNotNull(rows.one(AGGREGATE, parked).parkedAt(), "a parked event stays until an operator acts");

            // The aggregate's counter survives retention: the next event continues the sequence.
            service.fire(new TestEvent(AGGREGATE, delivered, routed, Map.of("n", 5)));
            assertEquals(6L, rows.one(AGGREGATE, delivered).aggregateSeq());
        } catch (java.io.IOException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
