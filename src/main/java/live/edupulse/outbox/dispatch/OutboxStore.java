package live.edupulse.outbox.dispatch;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import live.edupulse.outbox.config.OutboxConfiguration;

/**
 * The one owner of every change of an outbox row's state after its insert: the dispatcher's claim
 * and settle, the operator's retry, retry-all, discard and pause, and retention's delete. Nothing
 * else in the application writes {@code outbox_event} or {@code outbox_control.paused}; read-only
 * queries (listings, counts) live with the admin API in {@code ops}.
 *
 * <p>The dispatcher's steps are each one short transaction of its own ({@code REQUIRES_NEW}); no
 * transaction is ever open while the broker is waited on.
 *
 * <p><b>Claim.</b> One statement walks the aggregates that have pending events (a loose index scan
 * over the partial pending index, starting after a round-robin cursor), which lands on each
 * aggregate's head (its oldest undispatched event); it locks the head by its full key when the head is
 * eligible (not parked, not leased, not backing off), then the head's next consecutive eligible
 * events, and leases them all with a fresh token. Every step is an index probe by key, key range or
 * ordered {@code LIMIT 1}; with the claim's planner settings ({@link #prepareClaimSession}) the plan
 * cannot read the whole backlog whatever the table's statistics say ({@code ClaimPlanIT}). "Not
 * parked" is written {@code num_nulls(parked_at) = 1}, not {@code parked_at IS NULL}: the latter
 * would let the planner probe each aggregate through the admin page's index of pending, unparked
 * rows by {@code seq} (V6), which it prices as tiny when it was analyzed with an empty backlog,
 * and which reads the whole backlog per aggregate (49 s for one claim at 100,000 pending). Heads
 * are locked with {@code FOR UPDATE SKIP LOCKED}; an aggregate's later events are only ever taken
 * together with its head, so two dispatchers (in this JVM or another) never
 * hold events of the same aggregate at once, and first deliveries keep {@code aggregate_seq}
 * order (G4). The cost grows with the aggregates visited, not with the backlog.
 *
 * <p><b>Continuing a run.</b> {@link #continueRun} leases the next run of one aggregate whose
 * earlier events the caller holds, for a lane that found nothing else to claim ahead (one hot
 * aggregate); the caller publishes it only after those earlier events were all delivered.
 *
 * <p>While an operator has paused dispatch ({@code outbox_control.paused}), the claim takes
 * nothing: every instance, timer and after-commit path alike.
 *
 * <p><b>Settle.</b> One transaction applies a {@link Settlement}; every statement matches rows by
 * id <em>and</em> lease token, so a dispatcher whose lease expired and was taken over changes
 * nothing.
 *
 * <p><b>Operator commands.</b> Each is one statement committed on its own (they never join the
 * caller's transaction: {@code NOT_SUPPORTED}), bounded by {@code outbox.admin.query-timeout}; they touch parked events and the
 * pause flag only, never a leased or dispatched row, so they cannot race a dispatcher into a
 * duplicate. Callers log who asked and nudge the dispatcher.
 *
 * <p><b>Retention.</b> Deletes old dispatched rows in chunks, skipping rows another transaction
 * holds; pending, parked and discarded rows are never deleted.
 *
 * <p>Times (lease expiry, next attempt) are computed with the database's clock only. Every method
 * reports a database failure as an {@link OutboxStoreException} whose cause is the
 * {@link SQLException}.
 */
@ApplicationScoped
public class OutboxStore {

    /**
     * The end of every leasing statement: leases the ids of its {@code picked} step with the owner,
     * token and lease (its last three parameters) and returns the rows {@link #claimedEvent} reads.
     */
    private static final String LEASE_PICKED_SQL = """
            UPDATE outbox_event e
               SET lease_owner = ?, lease_token = ?,
                   lease_until = now() + make_interval(secs => ?)
             WHERE e.id = ANY (ARRAY(SELECT id FROM picked))
            RETURNING e.id, e.aggregate_type, e.aggregate_id, e.aggregate_seq, e.event_type, e.payload,
                      e.headers, e.occurred_at, e.attempts
            """;

    static final String CLAIM_SQL = """
            WITH RECURSIVE aggregates AS (
                (SELECT aggregate_type, aggregate_id, aggregate_seq FROM outbox_event
                  WHERE dispatched_at IS NULL AND (aggregate_type, aggregate_id) > (?, ?)
                    AND NOT EXISTS (SELECT 1 FROM outbox_control WHERE paused)
                  ORDER BY aggregate_type, aggregate_id, aggregate_seq LIMIT 1)
                UNION ALL
                SELECT later.aggregate_type, later.aggregate_id, later.aggregate_seq FROM aggregates a
                CROSS JOIN LATERAL (
                    SELECT aggregate_type, aggregate_id, aggregate_seq FROM outbox_event
                     WHERE dispatched_at IS NULL
                       AND (aggregate_type, aggregate_id) > (a.aggregate_type, a.aggregate_id)
                     ORDER BY aggregate_type, aggregate_id, aggregate_seq LIMIT 1) later
            ),
            heads AS (
                SELECT h.aggregate_type, h.aggregate_id, h.aggregate_seq
                  FROM aggregates a
                 CROSS JOIN LATERAL (
                    SELECT e.aggregate_type, e.aggregate_id, e.aggregate_seq FROM outbox_event e
                     WHERE e.aggregate_type = a.aggregate_type AND e.aggregate_id = a.aggregate_id
                       AND e.aggregate_seq = a.aggregate_seq
                       AND e.dispatched_at IS NULL AND num_nulls(e.parked_at) = 1
                       AND (e.lease_until IS NULL OR e.lease_until < now())
                       AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
                       FOR UPDATE SKIP LOCKED) h
                 LIMIT ?
            ),
            run AS (
                SELECT f.id, f.aggregate_type, f.aggregate_id, f.aggregate_seq,
                       f.aggregate_seq - h.aggregate_seq AS position
                  FROM heads h
                 CROSS JOIN LATERAL (
                    SELECT e.id, e.aggregate_type, e.aggregate_id, e.aggregate_seq FROM outbox_event e
                     WHERE e.aggregate_type = h.aggregate_type AND e.aggregate_id = h.aggregate_id
                       AND e.dispatched_at IS NULL
                       AND e.aggregate_seq >= h.aggregate_seq AND e.aggregate_seq < h.aggregate_seq + ?
                       AND num_nulls(e.parked_at) = 1
                       AND (e.lease_until IS NULL OR e.lease_until < now())
                       AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
                     ORDER BY e.aggregate_seq
                       FOR UPDATE SKIP LOCKED) f
            ),
            picked AS (
                SELECT id FROM (
                    SELECT r.*, row_number() OVER (PARTITION BY r.aggregate_type, r.aggregate_id
                                                   ORDER BY r.aggregate_seq) - 1 AS rank
                      FROM run r) numbered
                 WHERE rank = position
                 ORDER BY aggregate_type, aggregate_id, aggregate_seq
                 LIMIT ?
            )
            """ + LEASE_PICKED_SQL;

    /**
     * The next run of one aggregate whose earlier events the caller holds leased: its pending
     * events after {@code aggregate_seq} {@code after}, unbroken from there, eligible and not locked,
     * leased like a claim's. Nobody else can hold them (their head is the caller's), and the caller
     * publishes them only once every earlier event it holds was confirmed.
     */
    static final String CONTINUE_SQL = """
            WITH run AS (
                SELECT e.id, e.aggregate_seq, e.aggregate_seq - ? - 1 AS position FROM outbox_event e
                 WHERE e.aggregate_type = ? AND e.aggregate_id = ?
                   AND e.dispatched_at IS NULL AND e.aggregate_seq > ? AND e.aggregate_seq <= ? + ?
                   AND num_nulls(e.parked_at) = 1
                   AND (e.lease_until IS NULL OR e.lease_until < now())
                   AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
                   AND NOT EXISTS (SELECT 1 FROM outbox_control WHERE paused)
                 ORDER BY e.aggregate_seq
                   FOR UPDATE SKIP LOCKED
            ),
            picked AS (
                SELECT id FROM (SELECT id, position, row_number() OVER (ORDER BY aggregate_seq) - 1 AS rank FROM run) numbered
                 WHERE rank = position
            )
            """ + LEASE_PICKED_SQL;

    /** Planner settings for the claim's transaction; see {@link #prepareClaimSession}. */
    static final String CLAIM_SESSION_SQL = """
            SELECT set_config('jit', 'off', true),
                   set_config('enable_seqscan', 'off', true),
                   set_config('enable_bitmapscan', 'off', true)
            """;

    static final String DISPATCHED_SQL = """
            UPDATE outbox_event
               SET dispatched_at = clock_timestamp(), unroutable = (id = ANY(?::uuid[])),
                   lease_owner = NULL, lease_token = NULL, lease_until = NULL
             WHERE id = ANY(?::uuid[]) AND lease_token = ?
            """;

    static final String FAILED_SQL = """
            UPDATE outbox_event e
               SET attempts = e.attempts + 1, last_error = f.error,
                   next_attempt_at = now() + make_interval(secs => f.delay_ms / 1000.0),
                   parked_at = CASE WHEN f.park THEN now() END,
                   lease_owner = NULL, lease_token = NULL, lease_until = NULL
              FROM unnest(?::uuid[], ?::text[], ?::bigint[], ?::boolean[]) AS f(id, error, delay_ms, park)
             WHERE e.id = f.id AND e.id = ANY(?::uuid[]) AND e.lease_token = ?
            RETURNING e.id, e.event_type, e.aggregate_type, e.aggregate_id, e.aggregate_seq, e.attempts,
                      e.parked_at IS NOT NULL
            """;

    static final String RELEASED_SQL = """
            UPDATE outbox_event
               SET lease_owner = NULL, lease_token = NULL, lease_until = NULL
             WHERE id = ANY(?::uuid[]) AND lease_token = ?
            """;

    /** Bounds for every statement of the transaction it runs in; see {@link #limitStatements}. */
    static final String STATEMENT_LIMITS_SQL = """
            SELECT set_config('statement_timeout', ?, true),
                   set_config('lock_timeout', ?, true)
            """;

    private static final Comparator<ClaimedEvent> PUBLISHING_ORDER = Comparator
            .comparing(ClaimedEvent::aggregateType)
            .thenComparing(ClaimedEvent::aggregateId)
            .thenComparingLong(ClaimedEvent::aggregateSeq);

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    OutboxConfiguration configuration;

    /**
     * Leases up to {@code batchSize} eligible events of at most {@code aggregates} aggregates,
     * visiting aggregates after {@code cursor} (exclusive) in key order. Fewer aggregates per claim
     * make it cheaper when aggregates have long runs of pending events: the statement reads and
     * locks each visited aggregate's run, so visiting 500 aggregates to keep 5 of them is waste.
     *
     * @param owner      this dispatcher's id, stored for operators
     * @param cursor     the last aggregate visited by the previous claim, or {@link AggregateKey#START}
     * @param aggregates how many aggregates to visit at most (1..batchSize)
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Claim claim(UUID owner, AggregateKey cursor, int batchSize, int aggregates, Duration lease) {
        return leaseInClaimSession((connection, token) -> lease(connection, owner, token, cursor, batchSize, aggregates, lease));
    }

    /**
     * Leases the next run (at most {@code batchSize} events) of {@code aggregate} after its event
     * {@code afterSeq}, which the caller holds leased with its earlier ones: {@link #CONTINUE_SQL}.
     * Empty when the run's first event is not pending, not eligible or locked.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Claim continueRun(UUID owner, AggregateKey aggregate, long afterSeq, int batchSize, Duration lease) {
        return leaseInClaimSession((connection, token) -> {
            try (PreparedStatement claim = connection.prepareStatement(CONTINUE_SQL)) {
                claim.setLong(1, afterSeq);
                claim.setString(2, aggregate.type());
                claim.setString(3, aggregate.id());
                claim.setLong(4, afterSeq);
                claim.setLong(5, afterSeq);
                claim.setInt(6, batchSize);
                claim.setObject(7, owner);
                claim.setObject(8, token);
                claim.setDouble(9, lease.toMillis() / 1000.0);
                return claimed(claim);
            }
        });
    }

    /** A leasing statement run with a claim's token in the claim's transaction; returns the leased events unordered. */
    @FunctionalInterface
    private interface Leasing {
        List<ClaimedEvent> lease(Connection connection, UUID token) throws SQLException;
    }

    /** Runs {@code leasing} with a fresh token under the claim's statement limits and planner settings. */
    private Claim leaseInClaimSession(Leasing leasing) {
        UUID token = UUID.randomUUID();
        List<ClaimedEvent> events;
        try (Connection connection = dataSource.getConnection()) {
            limitStatements(connection);
            prepareClaimSession(connection);
            events = leasing.lease(connection, token);
        } catch (SQLException e) {
            throw new OutboxStoreException("claim failed: " + e.getMessage(), e);
        }
        events.sort(PUBLISHING_ORDER);
        return new Claim(token, List.copyOf(events));
    }

    /** Runs {@link #CLAIM_SQL} in the connection's current transaction; returns the leased events unordered. */
    static List<ClaimedEvent> lease(Connection connection, UUID owner, UUID token, AggregateKey cursor,
                                    int batchSize, int aggregates, Duration lease) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(CLAIM_SQL)) {
            claim.setString(1, cursor.type());
            claim.setString(2, cursor.id());
            claim.setInt(3, Math.max(1, Math.min(aggregates, batchSize)));
            claim.setInt(4, batchSize);
            claim.setInt(5, batchSize);
            claim.setObject(6, owner);
            claim.setObject(7, token);
            claim.setDouble(8, lease.toMillis() / 1000.0);
            return claimed(claim);
        }
    }

    /** Executes a leasing statement and reads the events its {@code RETURNING} gives. */
    static List<ClaimedEvent> claimed(PreparedStatement claim) throws SQLException {
        List<ClaimedEvent> events = new ArrayList<>();
        try (ResultSet rows = claim.executeQuery()) {
            while (rows.next()) {
                events.add(claimedEvent(rows));
            }
        }
        return events;
    }

    /** A row of {@link #CLAIM_SQL}'s or {@link #CONTINUE_SQL}'s {@code RETURNING}. */
    private static ClaimedEvent claimedEvent(ResultSet rows) throws SQLException {
        return new ClaimedEvent(
                rows.getObject(1, UUID.class),
                rows.getString(2),
                rows.getString(3),
                rows.getLong(4),
                rows.getString(5),
                rows.getString(6),
                rows.getString(7),
                rows.getTimestamp(8).toInstant(),
                rows.getInt(9));
    }

    /**
     * Settings for the claim's transaction only ({@code set_config(..., true)} is {@code SET LOCAL},
     * undone at its commit), so that the plan is the one the statement was written for whatever the
     * table's statistics and the server's cost settings say.
     * <ul>
     * <li>Sequential and bitmap scans off: every step is meant as an index probe. After a large
     * backlog was deleted and the table analyzed with a handful of pending rows, PostgreSQL priced
     * the bloated pending index above a sequential scan and walked the aggregates with one
     * sequential scan and sort of the whole table per step: 2.8 s per claim against 52 ms with
     * these settings, on the same table (measured on PostgreSQL 15 after a benchmark run).</li>
     * <li>JIT off: the planner prices each step of the walk as if it could read the whole pending
     * index, so with a large backlog the estimate passes {@code jit_above_cost} and PostgreSQL
     * compiles the statement on every execution: 543 ms of JIT in a 575 ms claim that found nothing
     * to take.</li>
     * </ul>
     */
    static void prepareClaimSession(Connection connection) throws SQLException {
        try (Statement session = connection.createStatement()) {
            session.execute(CLAIM_SESSION_SQL);
        }
    }

    /**
     * Bounds every later statement of the current transaction ({@code SET LOCAL}, undone at its
     * end) by {@code outbox.dispatch.statement-timeout}: how long it may run, and how long it may
     * wait for a row lock. A claim or settle that a slow or locked-up database holds up fails with
     * an error the dispatcher treats like any database failure (it pauses and tries again) instead
     * of holding a lane for as long as the database wants.
     */
    void limitStatements(Connection connection) throws SQLException {
        String millis = Long.toString(configuration.settings().database().statementTimeout().toMillis());
        try (PreparedStatement limits = connection.prepareStatement(STATEMENT_LIMITS_SQL)) {
            limits.setString(1, millis);
            limits.setString(2, millis);
            limits.execute();
        }
    }

    /**
     * Applies a batch's outcome, fenced by its lease token.
     *
     * @return what changed; rows whose lease was taken over in the meantime are counted as fenced off
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public SettleResult settle(Settlement settlement) {
        try (Connection connection = dataSource.getConnection()) {
            limitStatements(connection);
            int dispatched = settlement.dispatched().isEmpty() ? 0 : markDispatched(connection, settlement);
            List<SettleResult.FailedEvent> failed = settlement.failed().isEmpty()
                    ? List.of() : markFailed(connection, settlement);
            int released = settlement.released().isEmpty() ? 0 : release(connection, settlement);
            int expected = settlement.size();
            int fencedOff = expected - dispatched - failed.size() - released;
            return new SettleResult(dispatched, failed, released, fencedOff);
        } catch (SQLException e) {
            throw new OutboxStoreException("settle failed: " + e.getMessage(), e);
        }
    }

    private static int markDispatched(Connection connection, Settlement settlement) throws SQLException {
        List<Settlement.Dispatched> dispatched = settlement.dispatched();
        UUID[] ids = dispatched.stream().map(Settlement.Dispatched::id).toArray(UUID[]::new);
        UUID[] unroutable = dispatched.stream().filter(Settlement.Dispatched::unroutable)
                .map(Settlement.Dispatched::id).toArray(UUID[]::new);
        try (PreparedStatement update = connection.prepareStatement(DISPATCHED_SQL)) {
            update.setArray(1, array(connection, "uuid", unroutable));
            update.setArray(2, array(connection, "uuid", ids));
            update.setObject(3, settlement.token());
            return update.executeUpdate();
        }
    }

    private static List<SettleResult.FailedEvent> markFailed(Connection connection, Settlement settlement)
            throws SQLException {
        int size = settlement.failed().size();
        UUID[] ids = new UUID[size];
        String[] errors = new String[size];
        Long[] delays = new Long[size];
        Boolean[] park = new Boolean[size];
        for (int i = 0; i < size; i++) {
            Settlement.Failed failed = settlement.failed().get(i);
            ids[i] = failed.id();
            errors[i] = failed.error();
            delays[i] = failed.delay().toMillis();
            park[i] = failed.park();
        }
        List<SettleResult.FailedEvent> result = new ArrayList<>(size);
        try (PreparedStatement update = connection.prepareStatement(FAILED_SQL)) {
            update.setArray(1, array(connection, "uuid", ids));
            update.setArray(2, array(connection, "text", errors));
            update.setArray(3, array(connection, "bigint", delays));
            update.setArray(4, array(connection, "boolean", park));
            update.setArray(5, array(connection, "uuid", ids));
            update.setObject(6, settlement.token());
            try (ResultSet rows = update.executeQuery()) {
                while (rows.next()) {
                    result.add(new SettleResult.FailedEvent(rows.getObject(1, UUID.class), rows.getString(2),
                            rows.getString(3), rows.getString(4), rows.getLong(5), rows.getInt(6), rows.getBoolean(7)));
                }
            }
        }
        return result;
    }

    private static int release(Connection connection, Settlement settlement) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(RELEASED_SQL)) {
            update.setArray(1, array(connection, "uuid", settlement.released().toArray(UUID[]::new)));
            update.setObject(2, settlement.token());
            return update.executeUpdate();
        }
    }

    /** The statement of {@link #retry}. */
    static final String RETRY_SQL = """
            UPDATE outbox_event
               SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
             WHERE id = ? AND parked_at IS NOT NULL AND dispatched_at IS NULL""";

    /** The statement of {@link #discard}. */
    static final String DISCARD_SQL = """
            UPDATE outbox_event
               SET dispatched_at = clock_timestamp(), discarded_at = clock_timestamp(), discard_reason = ?,
                   discarded_by = ?, lease_owner = NULL, lease_token = NULL, lease_until = NULL
             WHERE id = ? AND parked_at IS NOT NULL AND dispatched_at IS NULL""";

    static final String PAUSE_SQL = """
            UPDATE outbox_control SET paused = ?, changed_by = ?, changed_at = clock_timestamp()
             WHERE id = 1 AND paused <> ?""";

    /** Deletes a chunk and moves the retention horizon (see V9) to the latest deleted dispatch; returns the count. */
    static final String DELETE_DISPATCHED_SQL = """
            WITH deleted AS (
                DELETE FROM outbox_event
                 WHERE id IN (SELECT id FROM outbox_event
                               WHERE dispatched_at < now() - make_interval(secs => ?) AND discarded_at IS NULL
                               LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING dispatched_at),
            horizon AS (
                UPDATE outbox_control SET retention_horizon = greatest(retention_horizon,
                                                                       (SELECT max(dispatched_at) FROM deleted))
                 WHERE id = 1 AND EXISTS (SELECT 1 FROM deleted))
            SELECT count(*) FROM deleted
            """;

    /**
     * Releases a parked event for another attempt: the park and the attempt count are cleared, so
     * the event (and behind it the rest of its aggregate, in order) goes out with the next drain.
     *
     * @return whether the event was parked (and now is not)
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public boolean retry(UUID eventId) {
        return operatorUpdate("retry", RETRY_SQL, eventId) == 1;
    }

    /**
     * Releases every parked event that matches the non-null filters, as {@link #retry} does one.
     *
     * @return how many were released
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public int retryAll(String aggregateType, String aggregateId, String eventType) {
        List<Object> parameters = new ArrayList<>(3);
        for (String value : new String[] {aggregateType, aggregateId, eventType}) {
            if (value != null) {
                parameters.add(value);
            }
        }
        return operatorUpdate("retry-all", retryAllSql(aggregateType, aggregateId, eventType), parameters.toArray());
    }

    /**
     * The statement of {@link #retryAll}: its parameters are the non-null arguments, in order. It
     * reads the parked events' partial index.
     */
    static String retryAllSql(String aggregateType, String aggregateId, String eventType) {
        StringBuilder sql = new StringBuilder("""
                UPDATE outbox_event SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
                 WHERE parked_at IS NOT NULL AND dispatched_at IS NULL""");
        if (aggregateType != null) {
            sql.append(" AND aggregate_type = ?");
        }
        if (aggregateId != null) {
            sql.append(" AND aggregate_id = ?");
        }
        if (eventType != null) {
            sql.append(" AND event_type = ?");
        }
        return sql.toString();
    }

    /**
     * Discards a parked event: it will never be published, and its aggregate's later events are
     * released. The reason and the operator are kept on the row.
     *
     * @return whether the event was parked (and is now discarded)
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public boolean discard(UUID eventId, String reason, String operator) {
        return operatorUpdate("discard", DISCARD_SQL, reason, operator, eventId) == 1;
    }

    /**
     * Pauses (or resumes) dispatch on every instance: while paused, every claim takes nothing.
     *
     * @return whether the state changed
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public boolean setPaused(boolean paused, String operator) {
        return operatorUpdate(paused ? "pause" : "resume", PAUSE_SQL, paused, operator, paused) == 1;
    }

    /**
     * Deletes at most {@code chunkSize} rows dispatched (not discarded) more than {@code olderThan}
     * ago, in a short transaction of its own, and moves the retention horizon that replay reads.
     *
     * @return rows deleted
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int deleteDispatched(Duration olderThan, int chunkSize) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(DELETE_DISPATCHED_SQL)) {
            delete.setDouble(1, olderThan.toMillis() / 1000.0);
            delete.setInt(2, chunkSize);
            try (ResultSet count = delete.executeQuery()) {
                count.next();
                return count.getInt(1);
            }
        } catch (SQLException e) {
            throw new OutboxStoreException("retention delete failed: " + e.getMessage(), e);
        }
    }

    private int operatorUpdate(String what, String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            update.setQueryTimeout(configuration.settings().admin().queryTimeoutSeconds());
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new OutboxStoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }
}
