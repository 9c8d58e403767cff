package live.edupulse.outbox.replay;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import live.edupulse.outbox.dispatch.ClaimedEvent;

/**
 * The replay's database steps: jobs in {@code outbox_replay}, pages of retained rows of
 * {@code outbox_event} (read only). Each method is one auto-committed statement or a short local
 * transaction; none runs in the caller's JTA transaction.
 */
@ApplicationScoped
public class ReplayStore {

    /** The retained rows a job replays, in aggregate order: the filter shared by count and pages. */
    private static final String MATCHING = """
             WHERE dispatched_at IS NOT NULL AND discarded_at IS NULL
               AND ('.' || event_type) ~ ?
               AND (CAST(? AS text) IS NULL OR aggregate_type = ?)
               AND (CAST(? AS text) IS NULL OR aggregate_id = ?)
               AND (CAST(? AS timestamptz) IS NULL OR occurred_at >= ?)
               AND (CAST(? AS timestamptz) IS NULL OR occurred_at < ?)
               AND seq <= ?
            """;

    static final String PAGE = """
            SELECT id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload, headers, occurred_at
              FROM outbox_event
            """ + MATCHING + """
               AND (aggregate_type, aggregate_id, aggregate_seq) > (?, ?, ?)
             ORDER BY aggregate_type, aggregate_id, aggregate_seq
             LIMIT ?
            """;

    static final String COLUMNS = """
            id, queue, event_types, aggregate_type, aggregate_id, occurred_from, occurred_to, rate, status, total,
            done, requested_by, requested_at, started_at, progressed_at, finished_at, last_error, until_seq,
            CASE WHEN status = 'running' AND lease_owner IS NULL AND lease_until > clock_timestamp() THEN lease_until END
            """;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    /**
     * The latest dispatch time among the rows retention has deleted; empty when it never deleted
     * any (the whole history is retained). An event that occurred after it is still retained.
     */
    public Optional<Instant> retentionHorizon() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT retention_horizon FROM outbox_control WHERE id = 1");
             ResultSet row = select.executeQuery()) {
            Timestamp horizon = row.next() ? row.getTimestamp(1) : null;
            return Optional.ofNullable(horizon).map(Timestamp::toInstant);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the retention horizon failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stores a new running job with the number of events it matches now. A job with a
     * {@code startAfter} above zero is taken by no instance before that has passed, nor before the
     * latest lease of the outbox's rows leased now has ended (whatever lease their instance
     * uses; finding it reads the pending rows once). Zero: at once.
     *
     * @throws ReplayRefusedException when a job for the queue is already running
     */
    public ReplayJob create(ReplayRequest request, int rate, String requestedBy, Duration startAfter) {
        UUID id = UUID.randomUUID();
        try (Connection connection = dataSource.getConnection()) {
            long untilSeq;
            try (PreparedStatement last = connection.prepareStatement("SELECT coalesce(max(seq), 0) FROM outbox_event");
                 ResultSet row = last.executeQuery()) {
                row.next();
                untilSeq = row.getLong(1);
            }
            long total;
            try (PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM outbox_event " + MATCHING)) {
                bindFilter(count, 1, request, untilSeq);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    total = row.getLong(1);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO outbox_replay (id, queue, event_types, aggregate_type, aggregate_id, occurred_from,
                                               occurred_to, rate, status, total, requested_by, until_seq, lease_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?,
                            CASE WHEN ? > 0 THEN greatest(clock_timestamp() + make_interval(secs => ?),
                                (SELECT max(lease_until) FROM outbox_event
                                  WHERE dispatched_at IS NULL AND lease_token IS NOT NULL)) END)
                    ON CONFLICT (queue) WHERE status = 'running' DO NOTHING""")) {
                insert.setObject(1, id);
                insert.setString(2, request.queue());
                insert.setArray(3, connection.createArrayOf("text", request.eventTypes().toArray()));
                insert.setString(4, request.aggregateType());
                insert.setString(5, request.aggregateId());
                setInstant(insert, 6, request.from());
                setInstant(insert, 7, request.to());
                insert.setInt(8, rate);
                insert.setLong(9, total);
                insert.setString(10, requestedBy);
                insert.setLong(11, untilSeq);
                double startAfterSeconds = startAfter.toMillis() / 1000.0;
                insert.setDouble(12, startAfterSeconds);
                insert.setDouble(13, startAfterSeconds);
                if (insert.executeUpdate() == 0) {
                    throw new ReplayRefusedException("Replay running", "a replay to queue " + request.queue()
                            + " is already running; cancel it or wait until it ends", "queue");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing a replay job failed: " + e.getMessage(), e);
        }
        return find(id).orElseThrow();
    }

    public Optional<ReplayJob> find(UUID id) {
        List<ReplayJob> jobs = select("SELECT " + COLUMNS + " FROM outbox_replay WHERE id = ?", id);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    /** The most recent jobs first. */
    public List<ReplayJob> recent(int limit) {
        return select("SELECT " + COLUMNS + " FROM outbox_replay ORDER BY requested_at DESC LIMIT ?", limit);
    }

    /** Cancels a running job; false when it is not running. */
    public boolean cancel(UUID id) {
        return update("""
                UPDATE outbox_replay SET status = 'cancelled', finished_at = clock_timestamp(), lease_owner = NULL
                 WHERE id = ? AND status = 'running'""", id) == 1;
    }

    /**
     * Takes the oldest running job that no live instance holds (never started, or its holder's lease
     * expired) for {@code owner}, for {@code lease}.
     */
    public Optional<ReplayJob> take(UUID owner, Duration lease) {
        List<ReplayJob> taken = select("""
                UPDATE outbox_replay SET lease_owner = ?, lease_until = clock_timestamp() + make_interval(secs => ?),
                                         started_at = coalesce(started_at, clock_timestamp())
                 WHERE id = (SELECT id FROM outbox_replay
                              WHERE status = 'running' AND (lease_until IS NULL OR lease_until < clock_timestamp())
                              ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING""" + " " + COLUMNS, owner, lease.toMillis() / 1000.0);
        return taken.isEmpty() ? Optional.empty() : Optional.of(taken.get(0));
    }

    /** The job's cursor: the last replayed (aggregate type, id, seq). */
    public Cursor cursor(UUID id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT cursor_aggregate_type, cursor_aggregate_id, cursor_aggregate_seq
                       FROM outbox_replay WHERE id = ?""")) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new Cursor(row.getString(1), row.getString(2), row.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the cursor of replay " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** The next page of a job's events after {@code after}, in aggregate order. */
    public List<ClaimedEvent> page(ReplayJob job, Cursor after, int limit) {
        List<ClaimedEvent> events = new ArrayList<>(limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(PAGE)) {
            int i = bindFilter(select, 1, new ReplayRequest(job.queue(), job.eventTypes(), job.aggregateType(),
                    job.aggregateId(), job.from(), job.to(), job.rate()), job.untilSeq());
            select.setString(i++, after.aggregateType());
            select.setString(i++, after.aggregateId());
            select.setLong(i++, after.aggregateSeq());
            select.setInt(i, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(new ClaimedEvent(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                            rows.getLong(4), rows.getString(5), rows.getString(6), rows.getString(7),
                            rows.getTimestamp(8).toInstant(), 0));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading a page of replay " + job.id() + " failed: " + e.getMessage(), e);
        }
        return events;
    }

    /**
     * Records a published page and renews the lease.
     *
     * @return false when the job is no longer this owner's to run (cancelled, or taken over)
     */
    public boolean advance(UUID id, UUID owner, Cursor to, int published, Duration lease) {
        return update("""
                UPDATE outbox_replay SET cursor_aggregate_type = ?, cursor_aggregate_id = ?, cursor_aggregate_seq = ?,
                                         done = done + ?, progressed_at = clock_timestamp(),
                                         lease_until = clock_timestamp() + make_interval(secs => ?)
                 WHERE id = ? AND lease_owner = ? AND status = 'running'""",
                to.aggregateType(), to.aggregateId(), to.aggregateSeq(), published, lease.toMillis() / 1000.0, id, owner) == 1;
    }

    /** Ends a job this owner runs: done, or failed with the reason. */
    public void finish(UUID id, UUID owner, String status, String error) {
        update("""
                UPDATE outbox_replay SET status = ?, last_error = ?, finished_at = clock_timestamp(), lease_owner = NULL,
                                         lease_until = NULL
                 WHERE id = ? AND lease_owner = ? AND status = 'running'""", status, error, id, owner);
    }

    /**
     * Lets go of a job this owner runs without ending it: at once ({@code after} zero: undeploy), or
     * not before {@code after} (the broker failed): meanwhile other jobs are taken first.
     */
    public void release(UUID id, UUID owner, String error, Duration after) {
        update("""
                UPDATE outbox_replay SET lease_owner = NULL, last_error = ?,
                                         lease_until = clock_timestamp() + make_interval(secs => ?)
                 WHERE id = ? AND lease_owner = ? AND status = 'running'""", error, after.toMillis() / 1000.0, id, owner);
    }

    /** Where a job is in the aggregate order. */
    public record Cursor(String aggregateType, String aggregateId, long aggregateSeq) {
        static Cursor of(ClaimedEvent event) {
            return new Cursor(event.aggregateType(), event.aggregateId(), event.aggregateSeq());
        }
    }

    private static int bindFilter(PreparedStatement statement, int first, ReplayRequest request, long untilSeq)
            throws SQLException {
        int i = first;
        statement.setString(i++, TopicPatterns.regex(request.eventTypes()));
        statement.setString(i++, request.aggregateType());
        statement.setString(i++, request.aggregateType());
        statement.setString(i++, request.aggregateId());
        statement.setString(i++, request.aggregateId());
        setInstant(statement, i++, request.from());
        setInstant(statement, i++, request.from());
        setInstant(statement, i++, request.to());
        setInstant(statement, i++, request.to());
        statement.setLong(i++, untilSeq);
        return i;
    }

    private static void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setTimestamp(index, Timestamp.from(value));
        }
    }

    private int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("updating replay jobs failed: " + e.getMessage(), e);
        }
    }

    private List<ReplayJob> select(String sql, Object... parameters) {
        List<ReplayJob> jobs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    jobs.add(job(rows));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading replay jobs failed: " + e.getMessage(), e);
        }
        return jobs;
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value instanceof Double number) {
                statement.setDouble(i + 1, number);
            } else if (value == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else {
                statement.setObject(i + 1, value);
            }
        }
    }

    private static ReplayJob job(ResultSet row) throws SQLException {
        Array types = row.getArray(3);
        return new ReplayJob(row.getObject(1, UUID.class), row.getString(2), Arrays.asList((String[]) types.getArray()),
                row.getString(4), row.getString(5), instant(row, 6), instant(row, 7), row.getInt(8), row.getString(9),
                row.getLong(10), row.getLong(11), row.getString(12), instant(row, 13), instant(row, 14), instant(row, 15),
                instant(row, 16), row.getString(17), row.getLong(18), instant(row, 19));
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
