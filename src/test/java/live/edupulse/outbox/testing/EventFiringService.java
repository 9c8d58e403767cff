package live.edupulse.outbox.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.concurrent.CompletionStage;
import live.edupulse.outbox.api.DomainEvent;
import live.edupulse.outbox.api.EventRecordingException;

/** A service as domain code writes one: it fires events with plain CDI inside its transaction. */
@ApplicationScoped
public class EventFiringService {

    @Inject
    Event<DomainEvent> events;

    @Transactional
    public void fire(DomainEvent... toFire) {
        for (DomainEvent event : toFire) {
            events.fire(event);
        }
    }

    /** Fires, then fails the business step: the transaction rolls back. */
    @Transactional
    public void fireThenFail(DomainEvent event) {
        events.fire(event);
        throw new BusinessFailure("the business step failed after the event was fired");
    }

    /**
     * Records {@code first} (the business change), then swallows the recording failure of
     * {@code failing} and returns normally, trying to commit anyway.
     */
    @Transactional
    public String fireSwallowingRecordingFailure(DomainEvent first, DomainEvent failing) {
        events.fire(first);
        try {
            events.fire(failing);
            return "recorded";
        } catch (EventRecordingException e) {
            return "swallowed: " + e.getMessage();
        }
    }

    @Transactional(Transactional.TxType.NEVER)
    public void fireWithoutTransaction(DomainEvent event) {
        events.fire(event);
    }

    @Transactional
    public CompletionStage<DomainEvent> fireAsynchronously(DomainEvent event) {
        return events.fireAsync(event);
    }

    /** A business failure: unchecked, so the transaction rolls back. */
    public static class BusinessFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BusinessFailure(String message) {
            super(message);
        }
    }
}
