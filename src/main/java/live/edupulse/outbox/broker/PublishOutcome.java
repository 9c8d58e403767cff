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
     * This message cannot be carried: the client could not encode it (for example a routing key of
     * more than 255 UTF-8 bytes), or the broker closed the channel because of it, shown by
     * publishing it alone (for example a body over the broker's {@code max_message_size}). A failure
     * of this message, like a nack.
     */
    record Refused(String reason) implements PublishOutcome {
    }

    /**
     * Not published because an earlier message of the same ordering key failed in this batch: it
     * waits behind that message. Neither a failure of this message nor of the broker.
     */
    record Withheld() implements PublishOutcome {
    }

    /**
     * Nothing is known about this message: it was not published, or no confirm arrived before the
     * deadline or before its channel closed. A broker-wide condition, never the message's fault.
     */
    record Unconfirmed(String reason) implements PublishOutcome {
    }

    /** True for the outcomes that spend one of the message's attempts. */
    default boolean isFailureOfTheMessage() {
        return this instanceof Nacked || this instanceof Refused;
    }
}
