package live.edupulse.inbox;

/**
 * A CDI event, fired when a consumer's queue delivered a message that is not an event of the
 * outbox's contract, rejected without requeue: for the operations surface's metrics.
 *
 * @param consumer the consumer whose queue delivered it
 */
public record InboxRefused(String consumer) {
}
