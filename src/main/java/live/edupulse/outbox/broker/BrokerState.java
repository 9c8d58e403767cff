package live.edupulse.outbox.broker;

/** The publisher's view of the broker, for logs and health. */
public enum BrokerState {
    /** No connection yet, or it was lost and is not back. */
    DISCONNECTED,
    /** Connected and accepting publishes. */
    CONNECTED,
    /** Connected, but the broker blocks publishers (memory or disk alarm). */
    BLOCKED
}
