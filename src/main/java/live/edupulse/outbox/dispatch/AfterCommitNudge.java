package live.edupulse.outbox.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import live.edupulse.outbox.recording.EventsCommitted;

/**
 * The latency path (G6): once a transaction that recorded events has committed, ask the
 * dispatcher for a drain, so an event is published milliseconds after its commit rather than at the
 * next timer tick. Once per transaction; returns at once; a drain already running picks it up.
 */
@ApplicationScoped
public class AfterCommitNudge {

    @Inject
    OutboxDispatcher dispatcher;

    void afterCommit(@Observes EventsCommitted committed) {
        dispatcher.requestDrain();
    }
}
