package live.edupulse.inbox;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * What operators do with a consumer's inbox: see its held, retrying and parked events, retry a
 * parked one, discard one (its aggregate goes on without it), and skip a gap that will never fill
 * (the outbox discarded the missing event). Every change is logged with the operator's name.
 */
@ApplicationScoped
public class InboxAdministration {

    private static final Logger LOG = Logger.getLogger(InboxAdministration.class.getName());

    /** An event the inbox holds: held (ahead of its aggregate), retry (failed, tried again) or parked. */
    public record OpenEvent(UUID messageId, String aggregateType, String aggregateId, long aggregateSeq,
                            long lastAppliedSeq, String eventType, String status, int attempts, Instant nextAttemptAt,
                            String lastError, Instant receivedAt) {
    }

    static final String LIST = """
            SELECT m.message_id, m.aggregate_type, m.aggregate_id, m.aggregate_seq, coalesce(a.last_applied_seq, 0),
                   m.event_type, m.status, m.attempts, m.next_attempt_at, m.last_error, m.received_at
              FROM inbox_message m
              LEFT JOIN inbox_aggregate a ON a.consumer = m.consumer AND a.aggregate_type = m.aggregate_type
                                         AND a.aggregate_id = m.aggregate_id
             WHERE m.consumer = ? AND m.status = ?
               AND (CAST(? AS text) IS NULL OR m.aggregate_type = ?)
               AND (CAST(? AS text) IS NULL OR m.aggregate_id = ?)
             ORDER BY m.aggregate_type, m.aggregate_id, m.aggregate_seq
             LIMIT ?
            """;

    static final String COUNTS = """
            SELECT status, count(*) FROM inbox_message
             WHERE consumer = ? AND status IN ('held', 'retry', 'parked') GROUP BY status
            """;

    static final String LOWEST_HELD = """
            SELECT message_id, aggregate_seq FROM inbox_message
             WHERE consumer = ? AND aggregate_type = ? AND aggregate_id = ? AND status = 'held'
             ORDER BY aggregate_seq LIMIT 1
            """;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    InboxStore store;

    @Inject
    InboxProcessing processing;

    /** Held, retrying and parked counts. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Map<String, Long> counts(String consumer) {
        Map<String, Long> counts = new LinkedHashMap<>(Map.of("held", 0L, "retry", 0L, "parked", 0L));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(COUNTS)) {
            select.setString(1, consumer);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new InboxStoreException("counting " + consumer + "'s open events", e);
        }
        return counts;
    }

    /**
     * The consumer's events of one status (held, retry, parked), in aggregate order, optionally of
     * one aggregate type or one aggregate (null: any).
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<OpenEvent> list(String consumer, String status, String aggregateType, String aggregateId, int limit) {
        List<OpenEvent> events = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(LIST)) {
            select.setString(1, consumer);
            select.setString(2, status);
            select.setString(3, aggregateType);
            select.setString(4, aggregateType);
            select.setString(5, aggregateId);
            select.setString(6, aggregateId);
            select.setInt(7, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(new OpenEvent(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                            rows.getLong(4), rows.getLong(5), rows.getString(6), rows.getString(7), rows.getInt(8),
                            rows.getTimestamp(9) == null ? null : rows.getTimestamp(9).toInstant(), rows.getString(10),
                            rows.getTimestamp(11).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new InboxStoreException("listing " + consumer + "'s " + status + " events", e);
        }
        return events;
    }

    /** A parked event tried again now (its attempts start over). @return false when it is not parked */
    public boolean retry(InboxConsumer consumer, UUID messageId, String operator) {
        if (!store.releaseParked(consumer.name(), messageId)) {
            return false;
        }
        LOG.info(() -> "Inbox event " + messageId + " of consumer " + consumer.name() + " retried by " + operator);
        processing.retry(consumer, messageId);
        return true;
    }

    /**
     * A parked or retrying event given up: never applied; if it is its aggregate's next, the
     * aggregate goes on after it. @return false when it is neither parked nor retrying
     */
    public boolean discard(InboxConsumer consumer, UUID messageId, String operator) {
        Optional<DeliveredEvent> discarded = store.discard(consumer.name(), messageId);
        if (discarded.isEmpty()) {
            return false;
        }
        LOG.warning(() -> "Inbox event " + messageId + " of consumer " + consumer.name() + " discarded by " + operator
                + ": it will not be applied");
        processing.applySuccessors(consumer, discarded.get());
        return true;
    }

    /**
     * The aggregate's gap skipped: its lowest held event becomes its next and is applied now.
     *
     * @return the seqs skipped (from, to), or empty when the aggregate holds nothing behind a gap
     */
    public Optional<long[]> skipGap(InboxConsumer consumer, String aggregateType, String aggregateId, String operator) {
        Optional<long[]> skipped = store.skipGap(consumer.name(), aggregateType, aggregateId);
        skipped.ifPresent(range -> {
            LOG.warning(() -> "Inbox consumer " + consumer.name() + ": seq " + range[0] + ".." + range[1] + " of "
                    + aggregateType + "/" + aggregateId + " skipped by " + operator);
            lowestHeld(consumer.name(), aggregateType, aggregateId).ifPresent(id -> processing.retry(consumer, id));
        });
        return skipped;
    }

    private Optional<UUID> lowestHeld(String consumer, String aggregateType, String aggregateId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(LOWEST_HELD)) {
            select.setString(1, consumer);
            select.setString(2, aggregateType);
            select.setString(3, aggregateId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getObject(1, UUID.class)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new InboxStoreException("reading " + aggregateType + "/" + aggregateId, e);
        }
    }
}
