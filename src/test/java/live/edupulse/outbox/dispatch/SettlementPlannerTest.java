package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.broker.PublishOutcome;
import live.edupulse.outbox.config.UnroutablePolicy;
import org.junit.jupiter.api.Test;

class SettlementPlannerTest {

    private static final RetryPolicy RETRY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 3, () -> 0.0);
    private static final PublishOutcome OK = new PublishOutcome.Confirmed();

    private static ClaimedEvent event(String aggregate, long seq, int attempts) {
        return new ClaimedEvent(UUID.randomUUID(), "t", aggregate, seq, "t.e", "{}", "{}", Instant.EPOCH, attempts);
    }

    private static Settlement plan(UnroutablePolicy policy, List<ClaimedEvent> events, PublishOutcome... outcomes) {
        Map<String, PublishOutcome> byId = new HashMap<>();
        for (int i = 0; i < outcomes.length; i++) {
            byId.put(events.get(i).id().toString(), outcomes[i]);
        }
        return new SettlementPlanner(policy, RETRY).plan(new Claim(UUID.randomUUID(), events), byId);
    }

    @Test
    void confirmedEventsAreDispatched() {
        List<ClaimedEvent> events = List.of(event("a", 1, 0), event("a", 2, 0), event("b", 1, 0));
        Settlement settlement = plan(UnroutablePolicy.ACCEPT, events, OK, OK, OK);
        assertEquals(3, settlement.dispatched().size());
        assertTrue(settlement.failed().isEmpty());
        assertTrue(settlement.released().isEmpty());
    }

    @Test
    void aFailureHoldsBackTheLaterEventsOfItsAggregateOnly() {
        List<ClaimedEvent> events = List.of(event("a", 1, 0), event("a", 2, 0), event("a", 3, 0), event("b", 1, 0));
        Settlement settlement = plan(UnroutablePolicy.ACCEPT, events,
                OK, new PublishOutcome.Nacked("nack"), OK, OK);
        assertEquals(List.of(events.get(0).id(), events.get(3).id()),
                settlement.dispatched().stream().map(Settlement.Dispatched::id).toList());
        assertEquals(List.of(events.get(1).id()), settlement.failed().stream().map(Settlement.Failed::id).toList());
        assertEquals(List.of(events.get(2).id()), settlement.released(), "confirmed, but after a failed event");
    }

    @Test
    void returnIsDeliveredAndFlaggedUnderAccept() {
        List<ClaimedEvent> events = List.of(event("a", 1, 0));
        Settlement settlement = plan(UnroutablePolicy.ACCEPT, events, new PublishOutcome.Returned("312 NO_ROUTE"));
        assertEquals(List.of(new Settlement.Dispatched(events.get(0).id(), true)), settlement.dispatched());
    }

    @Test
    void returnCountsAnAttemptUnderRetryAndParksAtTheMaximum() {
        List<ClaimedEvent> events = List.of(event("a", 1, 0), event("b", 1, 2));
        PublishOutcome returned = new PublishOutcome.Returned("312 NO_ROUTE");
        Settlement settlement = plan(UnroutablePolicy.RETRY, events, returned, returned);
        Settlement.Failed first = settlement.failed().get(0);
        Settlement.Failed last = settlement.failed().get(1);
        assertEquals("unroutable: 312 NO_ROUTE", first.error());
        assertEquals(Duration.ofMillis(500), first.delay());
        assertFalse(first.park());
        assertTrue(last.park(), "third failed attempt of three");
        assertTrue(settlement.dispatched().isEmpty());
    }

    @Test
    void unconfirmedEventsAreReleasedWithoutSpendingAnAttempt() {
        List<ClaimedEvent> events = List.of(event("a", 1, 0), event("a", 2, 0), event("b", 1, 0));
        PublishOutcome lost = new PublishOutcome.Unconfirmed("channel closed");
        Settlement settlement = plan(UnroutablePolicy.RETRY, events, lost, OK, lost);
        assertTrue(settlement.failed().isEmpty());
        assertTrue(settlement.dispatched().isEmpty());
        assertEquals(List.of(events.get(0).id(), events.get(1).id(), events.get(2).id()), settlement.released());
    }

    @Test
    void aRefusedMessageSpendsAnAttemptAndParksAtTheMaximumWhileItsAggregateWaits() {
        List<ClaimedEvent> events = List.of(event("a", 1, 2), event("a", 2, 0), event("b", 1, 0));
        Settlement settlement = plan(UnroutablePolicy.ACCEPT, events,
                new PublishOutcome.Refused("the client cannot send it"), new PublishOutcome.Withheld(), OK);
        Settlement.Failed refused = settlement.failed().get(0);
        assertEquals(events.get(0).id(), refused.id());
        assertEquals("refused: the client cannot send it", refused.error());
        assertTrue(refused.park(), "third failed attempt of three");
        assertEquals(List.of(events.get(1).id()), settlement.released(), "withheld: released without an attempt");
        assertEquals(List.of(events.get(2).id()), settlement.dispatched().stream().map(Settlement.Dispatched::id).toList());
    }
}
