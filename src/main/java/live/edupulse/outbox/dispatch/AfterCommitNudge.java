package live.edupulse.outbox.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import live.edupulse.outbox.api.DomainEvent;

/**
 * The latency path (G6): once a transaction that recorded events has committed, ask the
 * dispatcher for a drain, so an event is published milliseconds after its commit rather than at the
 * next timer tick. Returns at once; a drain already running picks the request up.
 */
@ApplicationScoped
public class AfterCommitNudge {

    @Inject
    OutboxDispatcher dispatcher;

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) DomainEvent event) {
        dispatcher.requestDrain();
    }
}
