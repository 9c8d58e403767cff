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
 * <p>The sequence comes from an upsert of the aggregate's counter row in {@code outbox_aggregate};
 * its row lock is held until the caller's transaction ends, so two transactions recording events of
 * the same aggregate are serialized, and {@code aggregate_seq} order is commit order. Counter and
 * row are written by one statement. The row's headers carry the trace context: the recording span's
 * when tracing is on ({@link OutboxTracing}), otherwise the HTTP request's W3C {@code traceparent}
 * when it carried one. After the commit, {@link EventsCommitted} is fired once per
 * transaction.
 *
 * <p>Failure contract: with no active transaction nothing is written and the call fails. Any other
 * failure (invalid event, unserializable payload, database error) marks the transaction
 * rollback-only before {@link EventRecordingException} leaves this observer, so a caller that
 * swallows the exception still cannot commit without its event.
 */
@ApplicationScoped
public class OutboxRecorder {

    static final String RECORD_SQL = """
            WITH counter AS (
                INSERT INTO outbox_aggregate (aggregate_type, aggregate_id, last_seq)
                VALUES (?1, ?2, 1)
                ON CONFLICT (aggregate_type, aggregate_id)
                DO UPDATE SET last_seq = outbox_aggregate.last_seq + 1
                RETURNING last_seq
            )
            INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload, headers)
            SELECT CAST(?3 AS uuid), ?1, ?2, counter.last_seq, ?4, ?5, ?6 FROM counter
            RETURNING aggregate_seq
            """;

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
            entityManager.createNativeQuery(RECORD_SQL)
                    .setParameter(1, event.aggregateType())
                    .setParameter(2, event.aggregateId())
                    .setParameter(3, id.toString())
                    .setParameter(4, eventType)
                    .setParameter(5, payload)
                    .setParameter(6, headers(span))
                    .getSingleResult();
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
