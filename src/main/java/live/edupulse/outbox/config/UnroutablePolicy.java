package live.edupulse.outbox.config;

/** What the dispatcher does when the broker returns a message because no queue is bound for it. */
public enum UnroutablePolicy {
    /** The event counts as delivered; its row is marked dispatched and {@code unroutable}. */
    ACCEPT,
    /** The return counts as a failed attempt: backoff, and parked after the maximum attempts. */
    RETRY
}
