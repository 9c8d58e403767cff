package live.edupulse.inbox;

/**
 * A CDI event, fired after an inbox transaction that applied events has committed: for the
 * operations surface's per-minute history and metrics.
 *
 * @param consumer the consumer that applied them
 * @param events   how many events the transaction applied
 */
public record InboxApplied(String consumer, int events) {
}
