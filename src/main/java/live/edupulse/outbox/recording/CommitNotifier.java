package live.edupulse.outbox.recording;

import jakarta.enterprise.event.Event;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Collects the ids recorded in one transaction and fires {@link EventsCommitted} once after it
 * commits. One interposed synchronization per transaction, however many events it records.
 */
final class CommitNotifier implements Synchronization {

    private static final Logger LOG = Logger.getLogger(CommitNotifier.class.getName());
    private static final Object KEY = new Object();

    private final List<UUID> eventIds = new ArrayList<>();
    private final Event<EventsCommitted> committed;

    private CommitNotifier(Event<EventsCommitted> committed) {
        this.committed = committed;
    }

    /** Adds an id to the current transaction's notification, registering it on first use. */
    static void add(TransactionSynchronizationRegistry transactions, Event<EventsCommitted> committed, UUID eventId) {
        CommitNotifier notifier = (CommitNotifier) transactions.getResource(KEY);
        if (notifier == null) {
            notifier = new CommitNotifier(committed);
            transactions.registerInterposedSynchronization(notifier);
            transactions.putResource(KEY, notifier);
        }
        notifier.eventIds.add(eventId);
    }

    @Override
    public void beforeCompletion() {
        // nothing to do before the commit
    }

    @Override
    public void afterCompletion(int status) {
        if (status != Status.STATUS_COMMITTED) {
            return;
        }
        try {
            committed.fire(new EventsCommitted(List.copyOf(eventIds), System.nanoTime()));
        } catch (RuntimeException e) {
            // The transaction has committed; the timer will pick the events up.
            LOG.log(Level.WARNING, "after-commit notification failed; the dispatcher's timer will deliver the events", e);
        }
    }
}
