package live.edupulse.outbox.recording;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;
import live.edupulse.outbox.api.EventRecordingException;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.tracing.OutboxTracing;
import live.edupulse.outbox.tracing.RecordingSpan;

/**
 * Records every {@link DomainEvent} fired with {@code Event.fire} as an outbox row, in the caller's
 * JTA transaction (guarantee G1), with the next per-aggregate sequence number (G4).
 *
 * <p>The row is an {@link OutboxEvent} persisted with the caller's persistence context, so it is
 * inserted when that context flushes (at the latest when the transaction commits), together with
 * the transaction's other events in one JDBC batch ({@code hibernate.jdbc.batch_size}). The
 * database numbers it at insert: a trigger takes the next {@code aggregate_seq} from the
 * aggregate's counter row in {@code outbox_aggregate}, whose row lock is held until the caller's
 * transaction ends, so two transactions recording events of the same aggregate are serialized
 * from their flush on, and {@code aggregate_seq} order is commit order. The row's headers carry the trace context: the recording span's
 * when tracing is on ({@link OutboxTracing}), otherwise the HTTP request's W3C {@code traceparent}
 * when it carried one. After the commit, {@link EventsCommitted} is fired once per
 * transaction.
 *
 * <p>Failure contract: with no active transaction nothing is written and the call fails. An invalid
 * event or an unserializable payload marks the transaction rollback-only before
 * {@link EventRecordingException} leaves this observer, so a caller that swallows the exception
 * still cannot commit without its event. The database refusing the row shows at the flush: the
 * caller's own flush throws, or the commit fails and rolls back the business change with it.
 */
@ApplicationScoped
public class OutboxRecorder {

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @Resource
    TransactionSynchronizationRegistry transactions;

    @Inject
    Event<EventsCommitted> committed;

    @Inject
    OutboxConfiguration configuration;

    @Inject
    OutboxTracing tracing;

    void record(@Observes DomainEvent event) {
        String eventType = event.eventType();
        if (transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            throw new EventRecordingException(eventType, "no active JTA transaction (transaction status "
                    + transactions.getTransactionStatus() + "); fire it inside the business transaction"
                    + " (@Transactional or an EJB method)");
        }
        RecordingSpan span = null;
        try {
            EventShape.check(event);
            String payload = PayloadJson.write(event.payload());
            EventShape.checkSize(event, payload, configuration.settings().maxMessageBytes());
            UUID id = EventIds.next();
            span = tracing.recording(id, eventType, event.aggregateType(), event.aggregateId(), Traceparent.current());
            entityManager.persist(OutboxEvent.pending(id, event.aggregateType(), event.aggregateId(), eventType,
                    payload, headers(span)));
            CommitNotifier.add(transactions, committed, id);
        } catch (RuntimeException e) {
            transactions.setRollbackOnly();
            if (span != null) {
                span.failed(e);
            }
            throw new EventRecordingException(eventType, describe(e), e);
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    private static String headers(RecordingSpan span) {
        return span.traceparent().map(t -> PayloadJson.writeHeaders(Map.of("traceparent", t))).orElse("{}");
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

}
