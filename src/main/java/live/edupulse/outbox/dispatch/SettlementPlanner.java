package live.edupulse.outbox.dispatch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.outbox.broker.PublishOutcome;
import live.edupulse.outbox.config.UnroutablePolicy;

/**
 * Turns a batch's publish outcomes into a {@link Settlement}. Pure.
 *
 * <p>Order rule (G4): within one aggregate, once an event of the batch is not delivered, none of
 * that aggregate's later events in the batch is marked dispatched, even if the broker confirmed
 * it: they are released and go again after it (consumers may see them twice, and tell by
 * {@code aggregate_seq}).
 *
 * <p>Only a failure of the message itself (a nack, a refusal, or a return under policy
 * {@code retry}) spends an attempt. Unconfirmed messages (broker-wide trouble) and withheld ones
 * (behind a failed event of their aggregate) are released as they are.
 */
final class SettlementPlanner {

    private final UnroutablePolicy unroutablePolicy;
    private final RetryPolicy retryPolicy;

    SettlementPlanner(UnroutablePolicy unroutablePolicy, RetryPolicy retryPolicy) {
        this.unroutablePolicy = unroutablePolicy;
        this.retryPolicy = retryPolicy;
    }

    Settlement plan(Claim claim, Map<String, PublishOutcome> outcomes) {
        List<Settlement.Dispatched> dispatched = new ArrayList<>();
        List<Settlement.Failed> failed = new ArrayList<>();
        List<UUID> released = new ArrayList<>();
        Set<String> heldBack = new HashSet<>();
        for (ClaimedEvent event : claim.events()) {
            String aggregate = event.aggregateType() + '\u0000' + event.aggregateId();
            PublishOutcome outcome = outcomes.get(event.id().toString());
            if (outcome == null) {
                outcome = new PublishOutcome.Unconfirmed("not published");
            }
            if (heldBack.contains(aggregate)) {
                released.add(event.id());
                continue;
            }
            if (outcome instanceof PublishOutcome.Confirmed) {
                dispatched.add(new Settlement.Dispatched(event.id(), false));
            } else if (outcome instanceof PublishOutcome.Returned returned) {
                if (unroutablePolicy == UnroutablePolicy.ACCEPT) {
                    dispatched.add(new Settlement.Dispatched(event.id(), true));
                } else {
                    failed.add(failure(event, "unroutable: " + returned.reason()));
                    heldBack.add(aggregate);
                }
            } else if (outcome instanceof PublishOutcome.Nacked nacked) {
                failed.add(failure(event, nacked.reason()));
                heldBack.add(aggregate);
            } else if (outcome instanceof PublishOutcome.Refused refused) {
                failed.add(failure(event, "refused: " + refused.reason()));
                heldBack.add(aggregate);
            } else {
                released.add(event.id());
                heldBack.add(aggregate);
            }
        }
        return new Settlement(claim.token(), dispatched, failed, released);
    }

    private Settlement.Failed failure(ClaimedEvent event, String reason) {
        int failedAttempts = event.attempts() + 1;
        return new Settlement.Failed(event.id(), reason, retryPolicy.delayAfter(failedAttempts),
                retryPolicy.exhausted(failedAttempts));
    }
}
