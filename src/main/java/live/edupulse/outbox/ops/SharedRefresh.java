package live.edupulse.outbox.ops;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value computed at most once per time-to-live, however many callers ask. When it is stale, the
 * first caller computes it and the callers arriving meanwhile wait for that computation instead of
 * starting their own; a failed computation leaves the old value stale, and the next caller tries
 * again. Thread-safe.
 */
final class SharedRefresh<T> {

    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final Supplier<T> computation;
    private final Object lock = new Object();
    private volatile T value;
    private volatile long computedAtNanos;

    SharedRefresh(Duration ttl, LongSupplier nanoClock, Supplier<T> computation) {
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
        this.computation = computation;
    }

    T get() {
        T current = value;
        if (current != null && fresh()) {
            return current;
        }
        synchronized (lock) {
            if (value != null && fresh()) {
                return value; // computed by the caller this one waited for
            }
            T computed = computation.get();
            computedAtNanos = nanoClock.getAsLong();
            value = computed;
            return computed;
        }
    }

    private boolean fresh() {
        return nanoClock.getAsLong() - computedAtNanos < ttlNanos;
    }
}
