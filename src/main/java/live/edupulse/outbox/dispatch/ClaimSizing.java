package live.edupulse.outbox.dispatch;

/**
 * How many aggregates the next claim visits: as many as a full batch needs at the run length just
 * seen (events per aggregate), twice over, so long runs (a hot aggregate, a backlog of few
 * aggregates) do not make every claim read and lock hundreds of runs it will not use. A partial
 * claim adapts the same way: with several lanes (or instances) a claim often comes back short
 * because another one holds the aggregates it walked, and starting over at a full batch's worth of
 * aggregates would make it lock a hundred times the rows it can use. A claim that found nothing
 * (all it walked was held by others, or nothing is pending) keeps the current size: the next claim
 * that finds events sizes the one after it.
 */
final class ClaimSizing {

    private ClaimSizing() {
    }

    /**
     * @param current   the size now (kept when the claim found nothing)
     * @param batchSize the most events a claim takes
     * @param claimed   events the claim took
     * @param distinct  aggregates they belong to
     * @return between 1 and {@code batchSize}
     */
    static int nextAggregatesPerClaim(int current, int batchSize, long claimed, long distinct) {
        if (distinct == 0) {
            return current;
        }
        double runLength = (double) claimed / distinct;
        return (int) Math.max(1, Math.min(batchSize, Math.ceil(2 * batchSize / runLength)));
    }
}
