package live.edupulse.outbox.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * What a batch's outcome does to its rows, applied in one short transaction fenced by the lease token.
 *
 * @param token      the claim's lease token
 * @param dispatched confirmed events
 * @param failed     events whose own publish failed (an attempt is counted)
 * @param released   events given back without spending an attempt (broker-wide failure, or an
 *                   earlier event of the same aggregate failed in this batch)
 */
public record Settlement(UUID token, List<Dispatched> dispatched, List<Failed> failed, List<UUID> released) {

    /** How many events this settles. */
    public int size() {
        return dispatched.size() + failed.size() + released.size();
    }

    /** @param unroutable the broker returned it and the policy accepted that */
    public record Dispatched(UUID id, boolean unroutable) {
    }

    /**
     * @param error the reason, kept in {@code last_error}
     * @param delay until the next attempt, from the database's clock
     * @param park  the event has used its last attempt
     */
    public record Failed(UUID id, String error, Duration delay, boolean park) {
    }
}
