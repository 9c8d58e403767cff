package live.edupulse.inbox;

/**
 * A CDI event, fired after a consumer's failure on an event is recorded (its transaction rolled
 * back, the attempt counted): for the operations surface's metrics.
 *
 * @param consumer the consumer that failed
 * @param parked   whether that was the event's last attempt: it is parked, its aggregate waits
 */
public record InboxFailed(String consumer, boolean parked) {
}
