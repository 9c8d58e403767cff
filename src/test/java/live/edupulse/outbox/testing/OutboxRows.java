package live.edupulse.outbox.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.UUID;
import live.edupulse.outbox.recording.OutboxEvent;

/** Reads outbox rows as they are committed, each read in a transaction of its own. */
@ApplicationScoped
public class OutboxRows {

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<OutboxEvent> ofAggregate(String aggregateType, String aggregateId) {
        return entityManager.createQuery("""
                        select e from OutboxEvent e
                         where e.aggregateType = :type and e.aggregateId = :id
                         order by e.aggregateSeq""", OutboxEvent.class)
                .setParameter("type", aggregateType)
                .setParameter("id", aggregateId)
                .getResultList();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public OutboxEvent one(String aggregateType, String aggregateId) {
        List<OutboxEvent> rows = ofAggregate(aggregateType, aggregateId);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row of " + aggregateType + "/" + aggregateId + ", found " + rows.size());
        }
        return rows.get(0);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public OutboxEvent byId(UUID id) {
        return entityManager.find(OutboxEvent.class, id);
    }

    /** Makes an event's lease look expired, as if its holder had stalled past it. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void expireLease(UUID id) {
        entityManager.createNativeQuery("UPDATE outbox_event SET lease_until = now() - interval '1 second' WHERE id = ?1")
                .setParameter(1, id)
                .executeUpdate();
    }

    /** Deletes every dispatched, not discarded row (what retention does, at once). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void deleteDispatched() {
        entityManager.createNativeQuery("DELETE FROM outbox_event WHERE dispatched_at IS NOT NULL AND discarded_at IS NULL")
                .executeUpdate();
    }

    /** The latest dispatch time among the rows retention has deleted, or null. */
    public java.time.Instant retentionHorizon() {
        Object horizon = entityManager.createNativeQuery("SELECT retention_horizon FROM outbox_control WHERE id = 1")
                .getSingleResult();
        if (horizon == null) {
            return null;
        }
        return horizon instanceof java.sql.Timestamp timestamp ? timestamp.toInstant()
                : horizon instanceof java.time.OffsetDateTime offset ? offset.toInstant() : (java.time.Instant) horizon;
    }

    /**
     * Writes the first event of an aggregate, and its counter, straight into the tables, as an
     * older version without today's recording checks could have.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void insertUnchecked(UUID id, String aggregateType, String aggregateId, String eventType) {
        entityManager.createNativeQuery("INSERT INTO outbox_aggregate (aggregate_type, aggregate_id, last_seq) VALUES (?1, ?2, 1)")
                .setParameter(1, aggregateType)
                .setParameter(2, aggregateId)
                .executeUpdate();
        entityManager.createNativeQuery("""
                        INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                        VALUES (CAST(?1 AS uuid), ?2, ?3, 1, ?4, '{}')""")
                .setParameter(1, id.toString())
                .setParameter(2, aggregateType)
                .setParameter(3, aggregateId)
                .setParameter(4, eventType)
                .executeUpdate();
    }
}
