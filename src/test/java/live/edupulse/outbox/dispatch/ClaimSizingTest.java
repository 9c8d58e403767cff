package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClaimSizingTest {

    @Test
    void oneEventAggregatesAskForAFullBatchOfAggregates() {
        assertEquals(500, ClaimSizing.nextAggregatesPerClaim(500, 500, 500, 500));
    }

    @Test
    void longRunsAskForTwiceTheAggregatesAFullBatchNeeds() {
        // 100 events per aggregate: 5 aggregates fill a batch of 500, the next claim visits 10
        assertEquals(10, ClaimSizing.nextAggregatesPerClaim(500, 500, 500, 5));
        // one hot aggregate filled the batch: two are visited next time
        assertEquals(2, ClaimSizing.nextAggregatesPerClaim(500, 500, 500, 1));
        // runs longer than a batch are not possible, but a size is never below one
        assertEquals(1, ClaimSizing.nextAggregatesPerClaim(500, 500, 5_000, 1));
    }

    @Test
    void aShortClaimSizesTheNextByWhatItFound() {
        // another lane held most of what this claim walked: 40 events of 20 aggregates came back
        assertEquals(500, ClaimSizing.nextAggregatesPerClaim(10, 500, 40, 20));
        assertEquals(84, ClaimSizing.nextAggregatesPerClaim(10, 500, 120, 10));
    }

    @Test
    void aClaimThatFoundNothingKeepsTheCurrentSize() {
        assertEquals(37, ClaimSizing.nextAggregatesPerClaim(37, 500, 0, 0));
    }
}
