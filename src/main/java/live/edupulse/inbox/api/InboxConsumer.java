package live.edupulse.inbox.api;

import java.util.List;

/**
 * A consumer of the outbox's events with exactly-once effects in aggregate order. Declare one as a
 * CDI bean ({@code @ApplicationScoped}) in the WAR; the inbox finds it at deploy, declares its
 * durable quorum queue ({@code edupulse.<name>} by default) bound to the exchange for its event
 * types, and delivers to {@link #apply}.
 *
 * <p>Contract:
 * <ul>
 * <li>{@link #apply} runs inside a JTA transaction that also records the message id; the broker is
 * acknowledged only after it commits. Write the effects with the container's datasource or
 * persistence context, so they commit or roll back with that record.</li>
 * <li>Per aggregate, events are applied in {@code aggregate_seq} order, each once. An event that
 * arrives before its predecessor is held until the predecessor is applied; one already applied is
 * dropped.</li>
 * <li>An exception rolls the transaction back; the event is tried again with backoff, and parked
 * after the maximum attempts, holding back only its own aggregate for this consumer.</li>
 * <li>Several events may share one transaction (what arrived together, up to the prefetch). When
 * {@code apply} fails for one of them, the whole transaction rolls back and each event is applied
 * again in a transaction of its own: {@code apply} can run more than once for an event whose
 * effects commit once. Effects outside the transaction (a mail, a call to another service) are
 * not covered.</li>
 * </ul>
 */
public interface InboxConsumer {

    /** A stable name of letters, digits, '-' and '_': the queue's suffix and the inbox's key. */
    String name();

    /**
     * The routing-key patterns of the events it takes (topic syntax: {@code learning_pulse.*},
     * {@code submission.received}, {@code #}). Take every event type of the aggregates you take:
     * {@code aggregate_seq} counts all of an aggregate's events, so an event whose predecessor
     * never arrives is held until an operator skips the gap.
     */
    List<String> eventTypes();

    /** Applies one event; runs in the inbox's transaction. */
    void apply(DeliveredEvent event);
}
