package live.edupulse.outbox.ops;

/**
 * The outbox backlog as last counted.
 *
 * @param pending                   undispatched, not parked
 * @param parked                    waiting for an operator
 * @param oldestPendingAgeSeconds   age of the oldest pending event by the database clock (0 when none)
 * @param countedAtMillis           wall-clock time of the count (0: never counted yet)
 */
public record Backlog(long pending, long parked, double oldestPendingAgeSeconds, long countedAtMillis) {

    static final Backlog UNKNOWN = new Backlog(0, 0, 0, 0);
}
