package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.Rabbitmqctl.run;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;
import live.edupulse.outbox.ops.OutboxAdministration;
import live.edupulse.outbox.recording.OutboxEvent;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A message the broker cannot take is that message's failure: it spends its attempts and parks,
 * its aggregate's later events wait behind it, every other event is delivered, and discarding it
 * releases its aggregate. Once with a row the client cannot encode (a routing key of 300 UTF-8
 * bytes, written straight into the table as an older version could have), once with a message over
 * the broker's {@code max_message_size}, which makes the broker close the channel.
 */
@ExtendWith(ArquillianExtension.class)
class UncarriableMessageIT {

    private static final int AGGREGATES = 100;
    private static final int EVENTS_PER_AGGREGATE = 10;
    private static final int MAX_ATTEMPTS = 3;

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.dispatch.max-attempts", Integer.toString(MAX_ATTEMPTS),
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
    void aRowWhoseRoutingKeyTheClientCannotEncodeParksAloneAndNothingElseIsLostOrDuplicated() throws Exception {
        String aggregateType = "test_uncodable_" + UUID.randomUUID().toString().substring(0, 8);
        String routingKey = TestEvent.uniqueType("uncodable");
        String held = aggregateType + "-0";
        UUID bad = UUID.randomUUID();
        rows.insertUnchecked(bad, aggregateType, held, "é".repeat(150)); // 300 bytes: more than a short string
        try (EventLedger ledger = new EventLedger(routingKey)) {
            List<String> good = fireGoodEvents(aggregateType, routingKey);
            verify("client cannot encode", bad, aggregateType, held, good, ledger, false);
        }
    }

    @Test
    void aMessageOverTheBrokersMaxMessageSizeParksAloneAndTheRestFlows() throws Exception {
        String aggregateType = "test_oversized_" + UUID.randomUUID().toString().substring(0, 8);
        String routingKey = TestEvent.uniqueType("oversized");
        String held = aggregateType + "-0";
        String previous = run("eval", "application:get_env(rabbit, max_message_size).").trim();
        try {
            run("eval", "application:set_env(rabbit, max_message_size, 65536).");
            // channels read the limit when they open: make the application open new ones
            run("close_all_connections", "test: max_message_size lowered");
            try (EventLedger ledger = new EventLedger(routingKey)) {
                service.fire(new TestEvent(aggregateType, held, routingKey, Map.of("padding", "x".repeat(100_000))));
                UUID bad = rows.ofAggregate(aggregateType, held).get(0).id();
                List<String> good = fireGoodEvents(aggregateType, routingKey);
                verify("over max_message_size", bad, aggregateType, held, good, ledger, true);
            }
        } finally {
            String restore = previous.matches("\\{ok,\\d+}") ? previous.replaceAll("\\D", "") : "134217728";
            run("eval", "application:set_env(rabbit, max_message_size, " + restore + ").");
            // channels opened under the lowered limit keep it: make the application open new ones
            run("close_all_connections", "test: max_message_size restored");
        }
    }

    /** Events 1..10 of 100 aggregates (aggregate 0's come after its bad first event), 50 per transaction. */
    private List<String> fireGoodEvents(String aggregateType, String routingKey) {
        List<DomainEvent> batch = new ArrayList<>();
        for (int n = 0; n < EVENTS_PER_AGGREGATE; n++) {
            for (int a = 0; a < AGGREGATES; a++) {
                batch.add(new TestEvent(aggregateType, aggregateType + "-" + a, routingKey, Map.of("n", n)));
                if (batch.size() == 50) {
                    service.fire(batch.toArray(DomainEvent[]::new));
                    batch.clear();
                }
            }
        }
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < AGGREGATES; a++) {
            rows.ofAggregate(aggregateType, aggregateType + "-" + a).forEach(row -> ids.add(row.id().toString()));
        }
        return ids;
    }

    private void verify(String fault, UUID bad, String aggregateType, String held, List<String> all, EventLedger ledger,
                        boolean neighboursInFlightAtTheFirstRefusal) throws Exception {
        await(fault + ": the bad event parks").atMost(ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> rows.byId(bad).parkedAt() != null);
        OutboxEvent parked = rows.byId(bad);
        assertEquals(MAX_ATTEMPTS, parked.attempts(), "every attempt was spent on the bad event");
        assertTrue(parked.lastError().contains("refused"), parked.lastError());

        Set<String> heldBack = new HashSet<>();
        rows.ofAggregate(aggregateType, held).stream().filter(row -> !row.id().equals(bad))
                .forEach(row -> heldBack.add(row.id().toString()));
        Set<String> others = new HashSet<>(all);
        others.remove(bad.toString());
        others.removeAll(heldBack);
        boolean complete = ledger.awaitAll(others, Duration.ofMinutes(2));
        Set<String> lost = ledger.lost(others);
        Set<String> duplicated = ledger.duplicated();
        // one println of a whole line: Liberty's SystemOut logs each piece of a printf apart
        System.out.println(String.format("FAULT %-32s events=%d lost=%d duplicated=%d held-back=%d deliveries=%d", fault,
                others.size() + heldBack.size() + 1, lost.size(), duplicated.size(), heldBack.size(), ledger.total()));
        assertTrue(complete, fault + ": " + lost.size() + " events of other aggregates not delivered");
        if (neighboursInFlightAtTheFirstRefusal) {
            // the broker closed the channel with some neighbours unconfirmed: they went again, once
            assertTrue(duplicated.size() < 500, fault + ": duplicates beyond one batch: " + duplicated.size());
        } else {
            assertEquals(Set.of(), duplicated, fault + ": duplicates");
        }
        for (OutboxEvent waiting : rows.ofAggregate(aggregateType, held)) {
            if (!waiting.id().equals(bad)) {
                assertTrue(waiting.dispatchedAt() == null && waiting.attempts() == 0, "waits behind the parked event, untried");
            }
        }
        assertEquals(heldBack, ledger.lost(heldBack), "nothing of the held aggregate was delivered before the operator acted");

        assertTrue(administration.discard(bad, "cannot be carried", "test-operator"));
        assertTrue(ledger.awaitAll(heldBack, Duration.ofMinutes(1)), fault + ": the held aggregate drains after the discard");
        Map<String, Integer> perAggregate = new HashMap<>();
        for (int a = 1; a < AGGREGATES; a++) {
            perAggregate.put(aggregateType + "-" + a, EVENTS_PER_AGGREGATE);
        }
        assertEquals(List.of(), ledger.orderViolations(perAggregate), fault + ": per-aggregate order");
        Set<String> heldDuplicated = new HashSet<>(ledger.duplicated());
        heldDuplicated.retainAll(heldBack);
        assertEquals(Set.of(), heldDuplicated, fault + ": the released aggregate's events arrive once each");
    }
}
