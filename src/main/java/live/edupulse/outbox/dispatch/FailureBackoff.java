package live.edupulse.outbox.dispatch;

/**
 * How long the whole dispatcher pauses after consecutive broker-wide or database failures: the
 * initial delay, doubled per further failure, never more than the maximum (and never overflowing,
 * however many failures).
 */
final class FailureBackoff {

    private FailureBackoff() {
    }

    /**
     * @param consecutiveFailures 1 for the first failure
     * @param initialNanos        the first pause
     * @param maxNanos            the longest pause
     */
    static long pauseNanos(int consecutiveFailures, long initialNanos, long maxNanos) {
        int doublings = Math.min(Math.max(consecutiveFailures, 1) - 1, 30);
        // doubling stops before the sign bit, so a huge initial delay cannot overflow
        return Math.min(maxNanos, initialNanos << Math.min(doublings, Long.numberOfLeadingZeros(initialNanos) - 1));
    }
}
