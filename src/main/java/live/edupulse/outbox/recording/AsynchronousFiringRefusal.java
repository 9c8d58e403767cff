package live.edupulse.outbox.recording;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.outbox.api.DomainEvent;
import live.edupulse.outbox.api.EventRecordingException;

/**
 * Refuses {@code Event.fireAsync} of a {@link DomainEvent}: an asynchronous observer runs outside
 * the caller's transaction, so the event could be published for a business change that rolls back
 * (or lost for one that commits). Without this observer, {@code fireAsync} would drop the event
 * silently. The returned {@code CompletionStage} completes exceptionally with
 * {@link EventRecordingException}, and the refusal is logged, so the mistake cannot go unnoticed.
 */
@ApplicationScoped
public class AsynchronousFiringRefusal {

    private static final Logger LOG = Logger.getLogger(AsynchronousFiringRefusal.class.getName());

    void refuse(@ObservesAsync DomainEvent event) {
        EventRecordingException refusal = new EventRecordingException(event.eventType(),
                "fired with fireAsync, outside the business transaction; use Event.fire inside it");
        LOG.log(Level.SEVERE, refusal.getMessage());
        throw refusal;
    }
}
