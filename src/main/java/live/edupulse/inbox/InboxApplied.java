package live.edupulse.inbox;

/**
 * A CDI event, fired after an inbox transaction that applied an event has committed: for the
 * operations surface's per-minute history.
 *
 * @param consumer the consumer that applied it
 */
public record InboxApplied(String consumer) {
}
