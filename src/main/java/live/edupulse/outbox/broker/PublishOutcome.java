package live.edupulse.outbox.broker;

/** What became of one published message. */
public sealed interface PublishOutcome {

    /** The broker confirmed the message: it is routed and persisted (or, for a return, accepted unrouted). */
    record Confirmed() implements PublishOutcome {
    }

    /** The broker confirmed it, but returned it first: no queue was bound for its routing key. */
    record Returned(String reason) implements PublishOutcome {
    }

    /** The broker refused this message (basic.nack): a failure of this message. */
    record Nacked(String reason) implements PublishOutcome {
    }

    /**
     * Nothing is known about this message: it was not published, or no confirm arrived before the
     * deadline or before its channel closed. A broker-wide condition, never the message's fault.
     */
    record Unconfirmed(String reason) implements PublishOutcome {
    }
}
