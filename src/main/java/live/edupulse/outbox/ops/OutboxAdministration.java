package live.edupulse.outbox.ops;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.dispatch.OutboxDispatcher;
import live.edupulse.outbox.dispatch.OutboxStore;
import live.edupulse.outbox.dispatch.OutboxStoreException;

/**
 * What an on-call engineer does without SQL: read the backlog, retry or discard parked events,
 * pause and resume dispatch for every instance. The reads are this class's own queries; each change
 * is a thin command: {@link OutboxStore} (the one owner of a row's state) applies it, then it is
 * logged with the operator's name and followed by a nudge so its effect is immediate. Every
 * statement runs under {@code outbox.admin.query-timeout}; one the database cancels for it is
 * refused with a 503 problem.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.NOT_SUPPORTED)
public class OutboxAdministration {

    private static final Logger LOG = Logger.getLogger(OutboxAdministration.class.getName());
    private static final Duration HOUR_COUNTS_TTL = Duration.ofSeconds(30);
    private static final String QUERY_CANCELED = "57014";

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    BacklogMonitor backlog;

    @Inject
    OutboxStore store;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    OutboxConfiguration configuration;

    private final SharedRefresh<long[]> hourCounts = new SharedRefresh<>(HOUR_COUNTS_TTL, System::nanoTime, this::countLastHour);

    /** Which events a listing shows. */
    public enum Status { PENDING, PARKED, DISCARDED }

    /**
     * A listing's filters; null means "any". {@code after} (keyset) is the {@code seq} of the
     * previous page's last event; with it {@code page} is 0.
     */
    public record Filter(Status status, String aggregateType, String aggregateId, String eventType,
                         Long minAgeSeconds, int page, int size, Long after) {
    }

    public record Summary(long pending, long parked, double oldestPendingAgeSeconds, long publishedLastHour,
                          long unroutableLastHour, String broker, boolean paused, String pausedBy, long deadTuples,
                          long liveTuples, Instant lastAutovacuum, long backlogCountedAtMillis) {
    }

    public record EventView(UUID id, String aggregateType, String aggregateId, long aggregateSeq, String eventType,
                            Instant occurredAt, int attempts, Instant nextAttemptAt, String lastError, Instant parkedAt,
                            Instant discardedAt, String discardReason, String discardedBy, boolean leased, long seq) {
    }

    public Summary summary() {
        Backlog counted = backlog.backlog();
        long[] hour = hourCounts.get();
        try (Connection connection = dataSource.getConnection()) {
            boolean paused = false;
            String pausedBy = null;
            try (PreparedStatement control = prepare(connection, "SELECT paused, changed_by FROM outbox_control WHERE id = 1");
                 ResultSet row = control.executeQuery()) {
                if (row.next()) {
                    paused = row.getBoolean(1);
                    pausedBy = paused ? row.getString(2) : null;
                }
            }
            long dead = 0;
            long live = 0;
            Instant autovacuum = null;
            try (PreparedStatement stats = prepare(connection, 
                    "SELECT n_dead_tup, n_live_tup, last_autovacuum FROM pg_stat_user_tables WHERE relid = 'outbox_event'::regclass");
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
            throw failure("summary", e);
        }
    }

    /** The statement of the last hour's counts: a range scan of {@code outbox_event_dispatched_idx}. */
    static final String HOUR_COUNTS_SQL = """
            SELECT count(*), count(*) FILTER (WHERE unroutable) FROM outbox_event
             WHERE dispatched_at > now() - interval '1 hour' AND discarded_at IS NULL""";

    /**
     * Published and unroutable in the last hour. Called through {@link #hourCounts}: at most one
     * count every 30 s, however many operators look.
     */
    private long[] countLastHour() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = prepare(connection, HOUR_COUNTS_SQL);
             ResultSet row = count.executeQuery()) {
            row.next();
            return new long[] {row.getLong(1), row.getLong(2)};
        } catch (SQLException e) {
            throw failure("hour counts", e);
        }
    }

    /** One page of events, oldest first; {@code size + 1} rows are read to tell whether more follow. */
    public List<EventView> events(Filter filter) {
        EventListing listing = EventListing.of(filter);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = prepare(connection, listing.sql())) {
            for (int i = 0; i < listing.parameters().size(); i++) {
                query.setObject(i + 1, listing.parameters().get(i));
            }
            List<EventView> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new EventView(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                            rows.getLong(4), rows.getString(5), instant(rows, 6), rows.getInt(7), instant(rows, 8),
                            rows.getString(9), instant(rows, 10), instant(rows, 11), rows.getString(12),
                            rows.getString(13), rows.getBoolean(14), rows.getLong(15)));
                }
            }
            return events;
        } catch (SQLException e) {
            throw failure("listing", e);
        }
    }

    /** @return whether the event was parked (and is now released for another attempt) */
    public boolean retry(UUID eventId, String operator) {
        boolean released = command("retry", () -> store.retry(eventId));
        if (released) {
            LOG.info(() -> "Parked outbox event " + eventId + " released for retry by " + operator);
            dispatcher.requestDrain();
        }
        return released;
    }

    /**
     * Retries every parked event of an aggregate, or of an event type.
     *
     * @return how many were released
     */
    public int retryAll(String aggregateType, String aggregateId, String eventType, String operator) {
        int released = command("retry-all", () -> store.retryAll(aggregateType, aggregateId, eventType));
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
        boolean discarded = command("discard", () -> store.discard(eventId, reason, operator));
        if (discarded) {
            LOG.warning(() -> "Parked outbox event " + eventId + " discarded by " + operator + ": " + reason);
            dispatcher.requestDrain();
        }
        return discarded;
    }

    /** Pauses (or resumes) dispatch on every instance; returns whether the state changed. */
    public boolean setPaused(boolean paused, String operator) {
        return setPaused(paused, operator, null);
    }

    /**
     * Pauses (or resumes) dispatch on every instance; the reason, when given, goes to the log line
     * only. Returns whether the state changed.
     */
    public boolean setPaused(boolean paused, String operator, String reason) {
        boolean changed = command(paused ? "pause" : "resume", () -> store.setPaused(paused, operator));
        if (changed) {
            LOG.warning(() -> "Outbox dispatch " + (paused ? "paused" : "resumed") + " for every instance by " + operator
                    + (reason == null || reason.isBlank() ? "" : ": " + reason));
            if (!paused) {
                dispatcher.requestDrain();
            }
        }
        return changed;
    }

    /** Whether dispatch is paused for every instance, and by whom. */
    public record PauseState(boolean paused, String pausedBy) {
    }

    /** The control row, read now (one primary-key read). */
    public PauseState pauseState() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement control = prepare(connection, "SELECT paused, changed_by FROM outbox_control WHERE id = 1");
             ResultSet row = control.executeQuery()) {
            if (row.next() && row.getBoolean(1)) {
                return new PauseState(true, row.getString(2));
            }
            return new PauseState(false, null);
        } catch (SQLException e) {
            throw failure("pause state", e);
        }
    }

    /** Starts a drain now on this instance (a paused outbox stays paused); logged with the operator. */
    public void drainNow(String operator) {
        LOG.info(() -> "Outbox drain requested by " + operator);
        dispatcher.requestDrain();
    }

    /** Runs a store command, turning a database failure into the admin API's answer ({@link #failure}). */
    private <T> T command(String what, Supplier<T> command) {
        try {
            return command.get();
        } catch (OutboxStoreException e) {
            throw e.getCause() instanceof SQLException sql ? failure(what, sql) : e;
        }
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(configuration.settings().admin().queryTimeoutSeconds());
        return statement;
    }

    /** A statement cancelled by its timeout becomes a 503 problem; any other failure stays a bug (500). */
    private RuntimeException failure(String what, SQLException e) {
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            LOG.warning(() -> "Admin " + what + " cancelled after outbox.admin.query-timeout ("
                    + configuration.settings().admin().queryTimeoutSeconds() + " s)");
            return new AdminProblem(503, "Admin query timed out", what + " took longer than outbox.admin.query-timeout ("
                    + configuration.settings().admin().queryTimeoutSeconds() + " s); narrow the filter or try again", null);
        }
        return new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }

    private static Instant instant(ResultSet rows, int column) throws SQLException {
        java.sql.Timestamp value = rows.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
