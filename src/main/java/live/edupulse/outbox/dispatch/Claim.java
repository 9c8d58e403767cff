package live.edupulse.outbox.dispatch;

import java.util.List;
import java.util.UUID;

/**
 * Events leased together under one token, in publishing order: aggregate by aggregate, each
 * aggregate's events in {@code aggregate_seq} order starting at its oldest pending event.
 *
 * @param token  the lease token; only a settle that presents it changes these rows
 * @param events the leased events (empty when nothing was eligible)
 */
public record Claim(UUID token, List<ClaimedEvent> events) {

    boolean isEmpty() {
        return events.isEmpty();
    }
}
