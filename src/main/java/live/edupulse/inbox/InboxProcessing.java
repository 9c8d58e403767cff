package live.edupulse.inbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.inbox.InboxStore.Verdict;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;
import live.edupulse.outbox.config.InboxSettings;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.tracing.LogFields;

/**
 * What happens to one event of one consumer: received (recorded, then applied if it is its
 * aggregate's next, held if it is ahead, dropped if already applied), then its held successors
 * applied one transaction each; a failure recorded for a later attempt or parked.
 *
 * <p>Every method returns normally once the event's fate is committed, so the broker may be
 * acknowledged; it throws {@link InboxStoreException} only when not even the failure could be
 * recorded (the database is down): the delivery must then not be acknowledged.
 */
@ApplicationScoped
public class InboxProcessing {

    private static final Logger LOG = Logger.getLogger(InboxProcessing.class.getName());

    @Inject
    InboxStore store;

    @Inject
    OutboxConfiguration configuration;

    @Inject
    Event<InboxApplied> appliedEvents;

    @Inject
    Event<InboxFailed> failedEvents;

    @Inject
    Event<InboxRefused> refusedEvents;

    /**
     * Deliveries from the broker, decided in one transaction ({@link InboxStore#receiveAll}); the
     * held events that follow what it applied are applied after it, one transaction each.
     *
     * @param events distinct message ids
     * @return each event's verdict by message id
     * @throws RuntimeException when the batch could not be decided together (a consumer failed on
     *                          one of its events, one was received before, or the database
     *                          failed): nothing is committed, and the caller delivers the events
     *                          one at a time with {@link #deliver}, which records each one's fate
     */
    public Map<UUID, Verdict> deliverAll(InboxConsumer consumer, List<DeliveredEvent> events) {
        InboxStore.BatchResult result = store.receiveAll(consumer, events);
        if (result.applied() > 0) {
            appliedEvents.fire(new InboxApplied(consumer.name(), result.applied()));
        }
        try {
            for (DeliveredEvent applied : result.withHeldSuccessor()) {
                applySuccessors(consumer, applied);
            }
        } catch (RuntimeException e) {
            // the batch is committed; its held successors are left to the inbox's sweep (Inbox.retryDue)
            LOG.log(Level.FINE, "Inbox " + consumer.name() + ": held successors left for the next sweep", e);
        }
        return result.verdicts();
    }

    /** A delivery from the broker. */
    public Verdict deliver(InboxConsumer consumer, DeliveredEvent event) {
        Verdict verdict;
        try {
            verdict = store.receive(consumer, event);
        } catch (RuntimeException e) {
            recordFailure(consumer, event, e);
            return Verdict.WAITING;
        }
        if (verdict == Verdict.APPLIED) {
            appliedEvents.fire(new InboxApplied(consumer.name(), 1));
            applySuccessors(consumer, event);
        }
        return verdict;
    }

    /** A stored event tried again (its next attempt is due, or an operator released it). */
    public Verdict retry(InboxConsumer consumer, UUID messageId) {
        Optional<DeliveredEvent> event = store.event(consumer.name(), messageId);
        if (event.isEmpty()) {
            return Verdict.WAITING;
        }
        Verdict verdict;
        try {
            verdict = store.applyStored(consumer, messageId);
        } catch (RuntimeException e) {
            recordFailure(consumer, event.get(), e);
            return Verdict.WAITING;
        }
        if (verdict == Verdict.APPLIED) {
            appliedEvents.fire(new InboxApplied(consumer.name(), 1));
            applySuccessors(consumer, event.get());
        }
        return verdict;
    }

    /** A delivery that is not an event of the contract, rejected without requeue: counted. */
    public void refused(InboxConsumer consumer) {
        refusedEvents.fire(new InboxRefused(consumer.name()));
    }

    /** Applies the held events that follow {@code applied}, in order, until one is missing or fails. */
    public void applySuccessors(InboxConsumer consumer, DeliveredEvent applied) {
        DeliveredEvent current = applied;
        while (true) {
            Optional<UUID> next = store.nextHeld(consumer.name(), current);
            if (next.isEmpty()) {
                return;
            }
            Optional<DeliveredEvent> event = store.event(consumer.name(), next.get());
            if (event.isEmpty()) {
                return;
            }
            try {
                if (store.applyStored(consumer, next.get()) != Verdict.APPLIED) {
                    return;
                }
                appliedEvents.fire(new InboxApplied(consumer.name(), 1));
            } catch (RuntimeException e) {
                recordFailure(consumer, event.get(), e);
                return;
            }
            current = event.get();
        }
    }

    private void recordFailure(InboxConsumer consumer, DeliveredEvent event, RuntimeException failure) {
        InboxSettings settings = configuration.inbox();
        String error = describe(failure);
        InboxStore.FailureRecord recorded = store.failed(consumer.name(), event, error, settings.backoffInitial(),
                settings.backoffMax(), settings.maxAttempts());
        if (recorded != InboxStore.FailureRecord.NOTHING) {
            failedEvents.fire(new InboxFailed(consumer.name(), recorded == InboxStore.FailureRecord.PARKED));
        }
        try (LogFields.Scope fields = LogFields.event(event.eventId().toString(), event.aggregateType(),
                event.aggregateId())) {
            if (recorded == InboxStore.FailureRecord.NOTHING) {
                LOG.fine(() -> "Inbox event failed for consumer " + consumer.name() + ": id=" + event.eventId()
                        + " seq=" + event.aggregateSeq() + ": " + error + "; it is settled or parked already: nothing to try again");
            } else if (recorded == InboxStore.FailureRecord.PARKED) {
                LOG.warning(() -> "Inbox event parked for consumer " + consumer.name() + " after "
                        + settings.maxAttempts() + " attempts: id=" + event.eventId() + " type=" + event.eventType()
                        + " aggregate=" + event.aggregateType() + "/" + event.aggregateId() + " seq="
                        + event.aggregateSeq() + ": " + error + "; its aggregate's later events wait for an operator");
            } else {
                LOG.fine(() -> "Inbox event failed for consumer " + consumer.name() + ": id=" + event.eventId()
                        + " seq=" + event.aggregateSeq() + ": " + error + "; it will be tried again");
            }
        }
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}
