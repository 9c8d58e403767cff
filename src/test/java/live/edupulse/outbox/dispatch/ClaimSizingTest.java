package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How much one claim reads: about twice a batch of rows, adapted to the run lengths seen. */
class ClaimSizingTest {

    @Test
    void runLimitSharesTwiceTheBatchAmongTheVisitedAggregates() {
        assertEquals(2, OutboxStore.runLimit(500, 500));
        assertEquals(100, OutboxStore.runLimit(500, 10));
        assertEquals(500, OutboxStore.runLimit(500, 1), "never more than a batch of one aggregate");
        assertEquals(1, OutboxStore.runLimit(1, 1));
    }

    @Test
    void aHotAggregateNarrowsTheWalkUntilWholeBatchesComeFromIt() {
        int visited = 500;
        int claims = 0;
        // one aggregate with thousands of pending events: each claim gets what the run limit allows
        while (OutboxStore.runLimit(500, visited) < 500) {
            int got = OutboxStore.runLimit(500, visited);
            visited = OutboxDispatcher.nextAggregatesPerClaim(500, false, got, 1, visited);
            claims++;
        }
        assertEquals(1, visited);
        assertEquals(8, claims, "halving from 500 to 1 in eight claims");
    }

    @Test
    void shortRunsWidenTheWalkAgain() {
        assertEquals(500, OutboxDispatcher.nextAggregatesPerClaim(500, false, 3, 3, 1), "partial, runs not cut");
        assertEquals(200, OutboxDispatcher.nextAggregatesPerClaim(500, true, 500, 100, 100), "runs of 5, not cut (limit 10): 2 x 500 / 5");
        assertEquals(100, OutboxDispatcher.nextAggregatesPerClaim(500, true, 500, 100, 200), "runs of 5 cut at the limit of 5: halve");
        assertEquals(2, OutboxDispatcher.nextAggregatesPerClaim(500, true, 500, 1, 1), "one long run: two aggregates next, twice a batch of rows at most");
    }
}
