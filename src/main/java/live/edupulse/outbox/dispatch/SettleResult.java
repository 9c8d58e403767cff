package live.edupulse.outbox.dispatch;

import java.util.List;
import java.util.UUID;

/**
 * What a settle changed.
 *
 * @param fencedOff rows the settle did not touch because their lease token had changed (the lease
 *                  expired and another dispatcher claimed them)
 */
public record SettleResult(int dispatched, List<FailedEvent> failed, int released, int fencedOff) {

    /** A failed event after its attempt was counted. */
    public record FailedEvent(UUID id, String eventType, String aggregateType, String aggregateId,
                              long aggregateSeq, int attempts, boolean parked) {
    }
}
