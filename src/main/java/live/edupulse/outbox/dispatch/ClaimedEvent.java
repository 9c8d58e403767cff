package live.edupulse.outbox.dispatch;

import java.time.Instant;
import java.util.UUID;

/** An outbox row as a claim returns it: what is needed to publish it and to settle its outcome. */
public record ClaimedEvent(
        UUID id,
        String aggregateType,
        String aggregateId,
        long aggregateSeq,
        String eventType,
        String payload,
        String headers,
        Instant occurredAt,
        int attempts) {
}
