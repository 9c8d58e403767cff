package live.edupulse.outbox.recording;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.api.EventRecordingException;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.BrokerProbe.Delivery;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.ExplodingPayload;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** G1 (atomic recording), G2 (confirmed delivery), G3 (stable identity), G4 (per-aggregate order). */
@ExtendWith(ArquillianExtension.class)
class RecordingAndDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AGGREGATE = "test_aggregate";

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Test
    void committedServiceCallPublishesExactlyOneMessageCarryingTheWholeContract() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("contract");
        try (BrokerProbe probe = new BrokerProbe(eventType)) {
            service.fire(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("answer", 42, "text", "h\u00e9llo \"q\"")));

            Delivery delivery = probe.next(ofAggregate(aggregateId), ofSeconds(15));
            OutboxEvent row = rows.one(AGGREGATE, aggregateId);

            assertEquals(row.id().toString(), delivery.properties().getMessageId());
            assertEquals(eventType, delivery.routingKey());
            assertEquals(eventType, delivery.properties().getType());
            assertEquals("application/json", delivery.properties().getContentType());
            assertEquals(2, delivery.properties().getDeliveryMode());
            assertEquals("edupulse", delivery.properties().getAppId());
            assertEquals(row.occurredAt().toInstant().truncatedTo(ChronoUnit.SECONDS),
                    delivery.properties().getTimestamp().toInstant());
            assertEquals(AGGREGATE, delivery.header("aggregate_type"));
            assertEquals(aggregateId, delivery.header("aggregate_id"));
            assertEquals(1L, delivery.header("aggregate_seq"));
            assertEquals(1, delivery.header("schema_version"));

            JsonNode body = JSON.readTree(delivery.body());
            assertEquals(row.id().toString(), body.get("eventId").asText());
            assertEquals(AGGREGATE, body.get("aggregateType").asText());
            assertEquals(aggregateId, body.get("aggregateId").asText());
            assertEquals(1L, body.get("aggregateSeq").asLong());
            assertEquals(eventType, body.get("eventType").asText());
            String occurredAt = body.get("occurredAt").asText();
            assertTrue(occurredAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), occurredAt);
            assertEquals(row.occurredAt().toInstant(), Instant.parse(occurredAt));
            assertEquals(JSON.readTree("{\"answer\":42,\"text\":\"h\u00e9llo \\\"q\\\"\"}"), body.get("payload"));
            assertEquals(7, body.size(), "no fields beyond the contract: " + body);

            await().atMost(ofSeconds(10)).until(() -> rows.one(AGGREGATE, aggregateId).dispatchedAt() != null);
            assertFalse(rows.one(AGGREGATE, aggregateId).unroutable());

            // Exactly one: the next message of this aggregate is a later sentinel, not a second copy.
            service.fire(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("sentinel", true)));
            Delivery next = probe.next(ofAggregate(aggregateId), ofSeconds(15));
            assertEquals(2L, next.header("aggregate_seq"));
        }
    }

    @Test
    void rolledBackTransactionRecordsAndPublishesNothing() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("rollback");
        try (BrokerProbe probe = new BrokerProbe(eventType)) {
            assertThrows(EventFiringService.BusinessFailure.class, () -> service.fireThenFail(
                    new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("rolledBack", true))));
            assertTrue(rows.ofAggregate(AGGREGATE, aggregateId).isEmpty());

            // A dead dispatcher would also send nothing: a committed sentinel proves it is alive and
            // that nothing was sent before it.
            service.fire(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("sentinel", true)));
            Delivery first = probe.next(ofAggregate(aggregateId), ofSeconds(15));
            assertTrue(first.body().contains("\"sentinel\":true"), first.body());
            assertEquals(1L, first.header("aggregate_seq"));
        }
    }

    @Test
    void firingWithoutTransactionFailsNamingTheEventTypeAndWritesNothing() {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("no-tx");
        EventRecordingException refused = assertThrows(EventRecordingException.class,
                () -> service.fireWithoutTransaction(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of())));
        assertTrue(refused.getMessage().contains(eventType), refused.getMessage());
        assertTrue(refused.getMessage().contains("no active JTA transaction"), refused.getMessage());
        assertTrue(rows.ofAggregate(AGGREGATE, aggregateId).isEmpty());
    }

    @Test
    void firingAsynchronouslyFailsAndWritesNothing() {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("async");
        CompletionException failed = assertThrows(CompletionException.class, () -> service
                .fireAsynchronously(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of()))
                .toCompletableFuture().join());
        Throwable cause = failed.getCause();
        // CDI may collect observer failures as suppressed exceptions of a CompletionException.
        EventRecordingException refusal = cause instanceof EventRecordingException direct ? direct
                : (EventRecordingException) java.util.Arrays.stream(cause.getSuppressed())
                .filter(EventRecordingException.class::isInstance).findFirst().orElseThrow(() -> failed);
        assertTrue(refusal.getMessage().contains(eventType), refusal.getMessage());
        assertTrue(rows.ofAggregate(AGGREGATE, aggregateId).isEmpty());
    }

    @Test
    void serviceThatSwallowsTheRecordingFailureCannotCommit() {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("swallowed");
        TestEvent businessChange = new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("n", 1));
        // A payload Jackson cannot serialize makes the recording fail inside the active transaction.
        TestEvent unserializable = new TestEvent(AGGREGATE, aggregateId, eventType,
                Map.of("exploding", new ExplodingPayload()));

        String outcome = service.fireSwallowingRecordingFailure(businessChange, unserializable);

        assertTrue(outcome.startsWith("swallowed: Event " + eventType + " was not recorded"), outcome);
        // The transaction was marked rollback-only before the exception reached the service, so
        // the container rolled it back: the change recorded before the failure is gone too.
        assertTrue(rows.ofAggregate(AGGREGATE, aggregateId).isEmpty());
    }

    @Test
    void concurrentTransactionsOnOneAggregateGetAGaplessSequenceAndArriveInIt() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("concurrent");
        int writers = 8;
        int eventsPerWriter = 15;
        try (BrokerProbe probe = new BrokerProbe(eventType)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int writer = 0; writer < writers; writer++) {
                    int w = writer;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < eventsPerWriter; i++) {
                            service.fire(new TestEvent(AGGREGATE, aggregateId, eventType, Map.of("writer", w, "n", i)));
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : done) {
                    writer.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            int total = writers * eventsPerWriter;

            List<Long> recorded = rows.ofAggregate(AGGREGATE, aggregateId).stream().map(OutboxEvent::aggregateSeq).toList();
            assertEquals(sequence(total), recorded, "aggregate_seq is 1..n without gaps");

            List<Delivery> delivered = probe.collect(ofAggregate(aggregateId), total, ofSeconds(30));
            List<Long> arrival = delivered.stream().map(d -> (Long) d.header("aggregate_seq")).toList();
            assertEquals(sequence(total), arrival, "first deliveries arrive in aggregate_seq order");

            // Each writer's own events were committed one after another, so their sequence numbers rise too.
            for (int writer = 0; writer < writers; writer++) {
                List<Integer> order = new ArrayList<>();
                for (Delivery d : delivered) {
                    JsonNode payload = JSON.readTree(d.body()).get("payload");
                    if (payload.get("writer").asInt() == writer) {
                        order.add(payload.get("n").asInt());
                    }
                }
                List<Integer> sorted = new ArrayList<>(order);
                Collections.sort(sorted);
                assertEquals(sorted, order, "writer " + writer);
            }
        }
    }

    @Test
    void unroutableEventIsDispatchedAndFlaggedUnderPolicyAccept() {
        String aggregateId = UUID.randomUUID().toString();
        // No queue is bound for this routing key: the broker returns the message.
        service.fire(new TestEvent(AGGREGATE, aggregateId, uniqueType("nobody-listens"), Map.of()));
        await().atMost(ofSeconds(15)).until(() -> rows.one(AGGREGATE, aggregateId).dispatchedAt() != null);
        OutboxEvent row = rows.one(AGGREGATE, aggregateId);
        assertTrue(row.unroutable());
        assertEquals(0, row.attempts());
        assertNotNull(row.dispatchedAt());
    }

    private static List<Long> sequence(int n) {
        List<Long> expected = new ArrayList<>(n);
        for (long i = 1; i <= n; i++) {
            expected.add(i);
        }
        return expected;
    }
}
