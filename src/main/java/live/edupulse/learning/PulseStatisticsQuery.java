package live.edupulse.learning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads the statistics projection. */
@ApplicationScoped
public class PulseStatisticsQuery {

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    /** The pulse's statistics, or empty when the projection has not seen the pulse (yet). */
    public Optional<PulseStatistics> of(UUID pulseId) {
        List<?> rows = entityManager.createNativeQuery("""
                SELECT status, submissions, distinct_students, updated_at FROM learning_pulse_stats WHERE pulse_id = ?1""")
                .setParameter(1, pulseId)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = (Object[]) rows.get(0);
        return Optional.of(new PulseStatistics(pulseId, (String) row[0], ((Number) row[1]).longValue(),
                ((Number) row[2]).longValue(), instant(row[3])));
    }

    private static java.time.Instant instant(Object value) {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof java.time.Instant instant) {
            return instant;
        }
        throw new IllegalStateException("updated_at read as " + value.getClass().getName());
    }
}
