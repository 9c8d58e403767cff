package live.edupulse.outbox.dispatch;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed event again, and when to give up. Pure: no clock, no I/O; the dispatcher
 * adds the returned delay to the database's clock.
 *
 * <p>The delay after the n-th failed attempt is {@code initial * 2^(n-1)}, capped at {@code max},
 * with "equal jitter": the upper half is random, so events that failed together spread out and a
 * retry never comes sooner than half the nominal delay.
 */
public final class RetryPolicy {

    private final Duration initial;
    private final Duration max;
    private final int maxAttempts;
    private final DoubleSupplier random;

    /**
     * @param random uniform values in [0, 1); a fixed supplier makes the policy deterministic in tests
     */
    public RetryPolicy(Duration initial, Duration max, int maxAttempts, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("need 0 < initial <= max and maxAttempts >= 1");
        }
        this.initial = initial;
        this.max = max;
        this.maxAttempts = maxAttempts;
        this.random = random;
    }

    /** The delay before the next attempt, after {@code failedAttempts} (at least 1) failures. */
    public Duration delayAfter(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be at least 1, was " + failedAttempts);
        }
        long initialMillis = initial.toMillis();
        long maxMillis = max.toMillis();
        int doublings = Math.min(failedAttempts - 1, 62);
        long nominal = doublings >= Long.numberOfLeadingZeros(initialMillis) - 1
                ? maxMillis
                : Math.min(maxMillis, initialMillis << doublings);
        long half = nominal / 2;
        return Duration.ofMillis(nominal - half + (long) (random.getAsDouble() * half));
    }

    /** Whether an event that has now failed {@code failedAttempts} times is parked. */
    public boolean exhausted(int failedAttempts) {
        return failedAttempts >= maxAttempts;
    }
}
