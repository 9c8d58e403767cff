package live.edupulse.outbox.ops;

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
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import live.edupulse.outbox.dispatch.OutboxDispatcher;

/**
 * What an on-call engineer does without SQL: read the backlog, retry or discard parked events,
 * pause and resume dispatch for every instance. Each change is one statement committed on its own
 * (call these outside a transaction), logged with the operator's name, and followed by a nudge so
 * its effect is immediate.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.NOT_SUPPORTED)
public class OutboxAdministration {

    private static final Logger LOG = Logger.getLogger(OutboxAdministration.class.getName());
    private static final long HOUR_COUNTS_TTL_MILLIS = 30_000;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    BacklogMonitor backlog;

    @Inject
    ParkedEvents parkedEvents;

    @Inject
    OutboxDispatcher dispatcher;

    private volatile long[] hourCounts;
    private volatile long hourCountsAt;

    /** Which events a listing shows. */
    public enum Status { PENDING, PARKED, DISCARDED }

    /** A listing's filters; null means "any". */
    public record Filter(Status status, String aggregateType, String aggregateId, String eventType,
                         Long minAgeSeconds, int page, int size) {
    }

    public record Summary(long pending, long parked, double oldestPendingAgeSeconds, long publishedLastHour,
                          long unroutableLastHour, String broker, boolean paused, String pausedBy, long deadTuples,
                          long liveTuples, Instant lastAutovacuum, long backlogCountedAtMillis) {
    }

    public record EventView(UUID id, String aggregateType, String aggregateId, long aggregateSeq, String eventType,
                            Instant occurredAt, int attempts, Instant nextAttemptAt, String lastError, Instant parkedAt,
                            Instant discardedAt, String discardReason, String discardedBy, boolean leased) {
    }

    public Summary summary() {
        Backlog counted = backlog.backlog();
        long[] hour = hourCounts();
        try (Connection connection = dataSource.getConnection()) {
            boolean paused = false;
            String pausedBy = null;
            try (PreparedStatement control = connection.prepareStatement("SELECT paused, changed_by FROM outbox_control WHERE id = 1");
                 ResultSet row = control.executeQuery()) {
                if (row.next()) {
                    paused = row.getBoolean(1);
                    pausedBy = paused ? row.getString(2) : null;
                }
            }
            long dead = 0;
            long live = 0;
            Instant autovacuum = null;
            try (PreparedStatement stats = connection.prepareStatement(
                    "SELECT n_dead_tup, n_live_tup, last_autovacuum FROM pg_stat_user_tables WHERE relname = 'outbox_event'");
                 ResultSet row = stats.executeQuery()) {
                if (row.next()) {
                    dead = row.getLong(1);
                    live = row.getLong(2);
                    autovacuum = row.getTimestamp(3) == null ? null : row.getTimestamp(3).toInstant();
                }
            }
            return new Summary(counted.pending(), counted.parked(), counted.oldestPendingAgeSeconds(), hour[0], hour[1],
                    dispatcher.brokerState().name(), paused, pausedBy, dead, live, autovacuum, counted.countedAtMillis());
        } catch (SQLException e) {
            throw new IllegalStateException("summary failed: " + e.getMessage(), e);
        }
    }

    /** Published and unroutable in the last hour, counted at most every 30 s (an index range scan of that hour). */
    private long[] hourCounts() {
        long now = System.currentTimeMillis();
        long[] cached = hourCounts;
        if (cached != null && now - hourCountsAt < HOUR_COUNTS_TTL_MILLIS) {
            return cached;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement("""
                     SELECT count(*), count(*) FILTER (WHERE unroutable) FROM outbox_event
                      WHERE dispatched_at > now() - interval '1 hour' AND discarded_at IS NULL""");
             ResultSet row = count.executeQuery()) {
            row.next();
            long[] fresh = {row.getLong(1), row.getLong(2)};
            hourCounts = fresh;
            hourCountsAt = now;
            return fresh;
        } catch (SQLException e) {
            throw new IllegalStateException("hour counts failed: " + e.getMessage(), e);
        }
    }

    /** One page of events, oldest first; {@code size + 1} rows are read to tell whether more follow. */
    public List<EventView> events(Filter filter) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, aggregate_type, aggregate_id, aggregate_seq, event_type, occurred_at, attempts,
                       next_attempt_at, last_error, parked_at, discarded_at, discard_reason, discarded_by,
                       lease_until > now() AS leased
                  FROM outbox_event WHERE """);
        List<Object> parameters = new ArrayList<>();
        switch (filter.status()) {
            case PENDING -> sql.append(" dispatched_at IS NULL AND parked_at IS NULL");
            case PARKED -> sql.append(" dispatched_at IS NULL AND parked_at IS NOT NULL");
            case DISCARDED -> sql.append(" discarded_at IS NOT NULL");
        }
        if (filter.aggregateType() != null) {
            sql.append(" AND aggregate_type = ?");
            parameters.add(filter.aggregateType());
        }
        if (filter.aggregateId() != null) {
            sql.append(" AND aggregate_id = ?");
            parameters.add(filter.aggregateId());
        }
        if (filter.eventType() != null) {
            sql.append(" AND event_type = ?");
            parameters.add(filter.eventType());
        }
        if (filter.minAgeSeconds() != null) {
            sql.append(" AND occurred_at <= now() - make_interval(secs => ?)");
            parameters.add((double) filter.minAgeSeconds());
        }
        sql.append(" ORDER BY seq LIMIT ? OFFSET ?");
        parameters.add(filter.size() + 1);
        parameters.add((long) filter.page() * filter.size());
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                query.setObject(i + 1, parameters.get(i));
            }
            List<EventView> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new EventView(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                            rows.getLong(4), rows.getString(5), instant(rows, 6), rows.getInt(7), instant(rows, 8),
                            rows.getString(9), instant(rows, 10), instant(rows, 11), rows.getString(12),
                            rows.getString(13), rows.getBoolean(14)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("listing failed: " + e.getMessage(), e);
        }
    }

    /** @return whether the event was parked (and is now released for another attempt) */
    public boolean retry(UUID eventId, String operator) {
        return parkedEvents.retry(eventId, operator);
    }

    /**
     * Retries every parked event of an aggregate, or of an event type.
     *
     * @return how many were released
     */
    public int retryAll(String aggregateType, String aggregateId, String eventType, String operator) {
        StringBuilder sql = new StringBuilder("""
                UPDATE outbox_event SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
                 WHERE parked_at IS NOT NULL AND dispatched_at IS NULL""");
        List<String> parameters = new ArrayList<>();
        if (aggregateType != null) {
            sql.append(" AND aggregate_type = ?");
            parameters.add(aggregateType);
        }
        if (aggregateId != null) {
            sql.append(" AND aggregate_id = ?");
            parameters.add(aggregateId);
        }
        if (eventType != null) {
            sql.append(" AND event_type = ?");
            parameters.add(eventType);
        }
        int released = update(sql.toString(), parameters.toArray());
        LOG.info(() -> released + " parked outbox events released for retry by " + operator + " (aggregate type "
                + aggregateType + ", aggregate " + aggregateId + ", event type " + eventType + ")");
        dispatcher.requestDrain();
        return released;
    }

    /**
     * Discards a parked event: it will never be published; its aggregate's later events are
     * released. The reason and the operator are kept on the row.
     *
     * @return whether the event was parked (and is now discarded)
     */
    public boolean discard(UUID eventId, String reason, String operator) {
        boolean discarded = update("""
                UPDATE outbox_event
                   SET dispatched_at = clock_timestamp(), discarded_at = clock_timestamp(), discard_reason = ?,
                       discarded_by = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                 WHERE id = ? AND parked_at IS NOT NULL AND dispatched_at IS NULL""", reason, operator, eventId) == 1;
        if (discarded) {
            LOG.warning(() -> "Parked outbox event " + eventId + " discarded by " + operator + ": " + reason);
            dispatcher.requestDrain();
        }
        return discarded;
    }

    /** Pauses (or resumes) dispatch on every instance; returns whether the state changed. */
    public boolean setPaused(boolean paused, String operator) {
        boolean changed = update("""
                UPDATE outbox_control SET paused = ?, changed_by = ?, changed_at = clock_timestamp()
                 WHERE id = 1 AND paused <> ?""", paused, operator, paused) == 1;
        if (changed) {
            LOG.warning(() -> "Outbox dispatch " + (paused ? "paused" : "resumed") + " for every instance by " + operator);
            if (!paused) {
                dispatcher.requestDrain();
            }
        }
        return changed;
    }

    private int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("admin update failed: " + e.getMessage(), e);
        }
    }

    private static Instant instant(ResultSet rows, int column) throws SQLException {
        java.sql.Timestamp value = rows.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
