package live.edupulse.outbox.dispatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.ScratchSchema;

/**
 * What one drained event costs PostgreSQL under three claim designs, measured on the real database in
 * a scratch schema built from the application's migrations, with no server and no broker in the way:
 * one connection drains a backlog in batches, claim then settle, as one lane does.
 * <ul>
 * <li>{@link Design#ROW_LEASES}: today's statements ({@link OutboxStore#CLAIM_SQL}, which walks the
 * aggregates and leases the rows it takes, then {@link OutboxStore#DISPATCHED_SQL}), with the
 * dispatcher's claim sizing.</li>
 * <li>{@link Design#PARTITION_READ}: the claim of partition ownership (docs/dispatch.md): the rows
 * carry a partition number, the claim reads the pending rows of the partitions the lane owns in
 * {@code seq} order from a partial index, writing nothing (a cursor per partition kept in memory
 * skips what is in flight), and the settle is the one write, fenced by the partitions' tokens in
 * {@code outbox_partition}. A prototype of the statements' cost only: no ownership protocol, no
 * failure handling, one owner of every partition.</li>
 * <li>{@link Design#CLAIM_ROWS}: today's walk without row locks or leases; the claim is one row of
 * {@code outbox_claim} (its token, the key range from its first to its last aggregate, its ids)
 * and the walk takes nothing inside a live claim's range; the settle deletes the claim row and
 * marks the rows dispatched only if that row was still there. Claims take turns under one
 * advisory lock. A prototype of the statements' cost only: no expiry handling beyond the
 * statement that deletes expired claims, no failure handling.</li>
 * </ul>
 * Per event: the backend's CPU time (from {@code /proc}, so only on a local database), WAL bytes
 * (the whole server's: a checkpoint before the backlog is written keeps full-page images out of
 * the drain's, and one that falls between it and the drain's end is reported; other sessions and
 * autovacuum would count too), and the elapsed time of the loop.
 */
public final class ClaimDesignCost {

    private static final String SCHEMA = "claim_design_lab";
    private static final int BATCH = 500;
    private static final int PARTITIONS = 64;
    private static final int PAYLOAD_BYTES = 600;

    /** The designs measured. */
    public enum Design {
        ROW_LEASES("row leases (today)"),
        PARTITION_READ("partition read (prototype)"),
        CLAIM_ROWS("claim rows (prototype)");

        private final String label;

        Design(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One drain's cost per event. */
    public record Cost(Design design, int events, int batches, int statements, double backendCpuMicros,
                       double walBytes, long checkpoints, double elapsedMicros) {
        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "%s: PostgreSQL CPU %.1f µs, WAL %,.0f B, elapsed %.1f µs per event; %d batches, %.1f statements"
                            + " per batch%s", design.label(), backendCpuMicros, walBytes, elapsedMicros, batches,
                    (double) statements / batches, checkpoints == 0 ? "" : "; a checkpoint fell between the backlog's writing and the drain's end (full-page images in the WAL)");
        }
    }

    private static final String PARTITION_SCHEMA_SQL = """
            ALTER TABLE outbox_event ADD COLUMN part smallint NOT NULL DEFAULT 0;
            CREATE INDEX outbox_event_part_pending_idx ON outbox_event (part, seq) WHERE dispatched_at IS NULL;
            CREATE TABLE outbox_partition (part smallint PRIMARY KEY, owner uuid NOT NULL, token uuid NOT NULL,
                                           lease_until timestamptz NOT NULL);
            CREATE TABLE outbox_claim (token uuid PRIMARY KEY, owner uuid NOT NULL,
                                       first_type text COLLATE "C" NOT NULL, first_id text COLLATE "C" NOT NULL,
                                       last_type text COLLATE "C" NOT NULL, last_id text COLLATE "C" NOT NULL,
                                       ids uuid[] NOT NULL, until timestamptz NOT NULL);
            """;

    /**
     * The claim-rows design's first statement: the claim's planner settings and the lock that makes
     * claims take turns. The walk is a later statement, so its snapshot sees every claim and settle
     * that committed before this lock was granted.
     */
    static final String CLAIM_ROWS_BEGIN_SQL = """
            SELECT set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true),
                   set_config('enable_bitmapscan', 'off', true), pg_advisory_xact_lock(7431000)
            """;

    /**
     * The claim-rows design's walk: today's walk without row locks and without lease columns. An
     * aggregate inside the key range of a live claim is held: the walk jumps past the range and
     * takes nothing of it, including the aggregates inside it the claim did not take (their heads
     * were held back or newer). The claim is one row of {@code outbox_claim} (the range, the ids),
     * and the event rows are only read. Claims whose lease ran out are deleted (under the lock, so
     * no claimer waits for another's row locks while holding it); their ranges are free from the
     * next claim on, and their late settles change nothing.
     */
    static final String CLAIM_ROWS_SQL = """
            WITH RECURSIVE expired AS (
                DELETE FROM outbox_claim WHERE until < now()
            ),
            held AS MATERIALIZED (
                SELECT first_type, first_id, last_type, last_id FROM outbox_claim
            ),
            aggregates AS (
                (SELECT aggregate_type, aggregate_id, aggregate_seq FROM outbox_event
                  WHERE dispatched_at IS NULL AND (aggregate_type, aggregate_id) > (?, ?)
                    AND NOT EXISTS (SELECT 1 FROM outbox_control WHERE paused)
                  ORDER BY aggregate_type, aggregate_id, aggregate_seq LIMIT 1)
                UNION ALL
                SELECT later.aggregate_type, later.aggregate_id, later.aggregate_seq FROM aggregates a
                CROSS JOIN LATERAL (
                    SELECT k.t, k.i FROM (
                        SELECT c.last_type AS t, c.last_id AS i FROM held c
                         WHERE (a.aggregate_type, a.aggregate_id) >= (c.first_type, c.first_id)
                           AND (a.aggregate_type, a.aggregate_id) <= (c.last_type, c.last_id)
                        UNION ALL
                        SELECT a.aggregate_type, a.aggregate_id) k
                     ORDER BY k.t DESC, k.i DESC LIMIT 1) past
                CROSS JOIN LATERAL (
                    SELECT aggregate_type, aggregate_id, aggregate_seq FROM outbox_event
                     WHERE dispatched_at IS NULL
                       AND (aggregate_type, aggregate_id) > (past.t, past.i)
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
                       AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())) h
                 WHERE NOT EXISTS (SELECT 1 FROM held c
                                    WHERE (a.aggregate_type, a.aggregate_id) >= (c.first_type, c.first_id)
                                      AND (a.aggregate_type, a.aggregate_id) <= (c.last_type, c.last_id))
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
                       AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= now())
                     ORDER BY e.aggregate_seq) f
            ),
            picked AS (
                SELECT id, aggregate_type, aggregate_id FROM (
                    SELECT r.*, row_number() OVER (PARTITION BY r.aggregate_type, r.aggregate_id
                                                   ORDER BY r.aggregate_seq) - 1 AS rank
                      FROM run r) numbered
                 WHERE rank = position
                 ORDER BY aggregate_type, aggregate_id, aggregate_seq
                 LIMIT ?
            ),
            claim AS (
                INSERT INTO outbox_claim (token, owner, first_type, first_id, last_type, last_id, ids, until)
                SELECT ?, ?, f.aggregate_type, f.aggregate_id, l.aggregate_type, l.aggregate_id, p.ids,
                       now() + make_interval(secs => ?)
                  FROM (SELECT array_agg(id) AS ids FROM picked) p
                 CROSS JOIN LATERAL (SELECT aggregate_type, aggregate_id FROM picked
                                      ORDER BY aggregate_type, aggregate_id LIMIT 1) f
                 CROSS JOIN LATERAL (SELECT aggregate_type, aggregate_id FROM picked
                                      ORDER BY aggregate_type DESC, aggregate_id DESC LIMIT 1) l
            )
            SELECT e.id, e.aggregate_type, e.aggregate_id, e.aggregate_seq, e.event_type, e.payload,
                   e.headers, e.occurred_at, e.attempts
              FROM outbox_event e
             WHERE e.id = ANY (ARRAY(SELECT id FROM picked))
            """;

    /**
     * The claim-rows design's settle, its one write to the event rows: the claim's row is deleted
     * and its rows marked dispatched only if that row was still there. A claim whose lease ran
     * out was deleted by the next claimer (which may have taken its rows), and its late settle
     * changes nothing.
     */
    static final String CLAIM_ROWS_SETTLE_SQL = """
            WITH own AS (DELETE FROM outbox_claim WHERE token = ? RETURNING token)
            UPDATE outbox_event
               SET dispatched_at = clock_timestamp(), unroutable = (id = ANY(?::uuid[]))
             WHERE id = ANY(?::uuid[]) AND EXISTS (SELECT 1 FROM own)
            """;

    /** Up to a batch of pending rows from the owned partitions, each after its cursor, in seq order. */
    private static final String PARTITION_READ_SQL = """
            SELECT e.id, e.aggregate_type, e.aggregate_id, e.aggregate_seq, e.event_type, e.payload,
                   e.headers, e.occurred_at, e.attempts, e.part, e.seq
              FROM unnest(?::smallint[], ?::bigint[]) AS owned(part, after)
             CROSS JOIN LATERAL (
                SELECT * FROM outbox_event e
                 WHERE e.part = owned.part AND e.dispatched_at IS NULL AND e.seq > owned.after
                   AND num_nulls(e.parked_at) = 1
                 ORDER BY e.seq LIMIT ?) e
             WHERE NOT EXISTS (SELECT 1 FROM outbox_control WHERE paused)
             LIMIT ?
            """;

    /**
     * The one write: dispatched, only while the settling owner still holds the batch's partitions,
     * whose rows it locks until the settle commits, so a takeover cannot commit in between. The rows
     * are named by {@code id = ANY(array)}, a probe per id, as today's settles name them.
     */
    private static final String PARTITION_SETTLE_SQL = """
            WITH held AS (
                SELECT part FROM outbox_partition
                 WHERE part = ANY(?::smallint[]) AND owner = ? AND token = ANY(?::uuid[]) AND lease_until > now()
                   FOR SHARE)
            UPDATE outbox_event e
               SET dispatched_at = clock_timestamp(), unroutable = (e.id = ANY(?::uuid[]))
             WHERE e.id = ANY(?::uuid[]) AND e.part = ANY(ARRAY(SELECT part FROM held))
            """;

    private ClaimDesignCost() {
    }

    /** Builds a backlog of {@code aggregates} x {@code eventsEach} events and drains it with {@code design}. */
    public static Cost drain(Design design, int aggregates, int eventsEach) throws Exception {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            ScratchSchema.create(sql, SCHEMA);
            sql.execute(PARTITION_SCHEMA_SQL);
            UUID owner = UUID.randomUUID();
            sql.execute("INSERT INTO outbox_partition SELECT p, '" + owner + "', gen_random_uuid(),"
                    + " now() + interval '1 hour' FROM generate_series(0, " + (PARTITIONS - 1) + ") p");
            // the drain then changes only pages written since this checkpoint: no full-page images in its WAL
            sql.execute("CHECKPOINT");
            long checkpoints = checkpoints(connection);
            int events = aggregates * eventsEach;
            sql.execute("INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type,"
                    + " payload, part)"
                    + " SELECT gen_random_uuid(), 'bench', 'aggregate-' || (n % " + aggregates + "), n / "
                    + aggregates + " + 1, 'bench.event', '{\"n\":' || n || ',\"text\":\"' || repeat('x', "
                    + (PAYLOAD_BYTES - 30) + ") || '\"}', abs(hashtext('bench/aggregate-' || (n % " + aggregates
                    + "))) % " + PARTITIONS + " FROM generate_series(0, " + (events - 1) + ") n");
            sql.execute("VACUUM (ANALYZE) outbox_event");
            sql.execute("INSERT INTO outbox_claim VALUES (gen_random_uuid(), gen_random_uuid(), 'other', 'a', 'other', 'z',"
                    + " ARRAY[gen_random_uuid()], now() + interval '1 hour')");
            try {
                return measure(connection, design, owner, events, checkpoints);
            } finally {
                sql.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
            }
        }
    }

    private static Cost measure(Connection connection, Design design, UUID owner, int events, long checkpointsBefore)
            throws Exception {
        long backendPid = single(connection, "SELECT pg_backend_pid()");
        long before = walPosition(connection);
        long ticksBefore = ticks(backendPid);
        long started = System.nanoTime();
        connection.setAutoCommit(false);
        int[] batchesAndStatements = switch (design) {
            case ROW_LEASES -> drainWalking(connection, rowLeases(connection, owner));
            case PARTITION_READ -> drainWithPartitionReads(connection, owner);
            case CLAIM_ROWS -> drainWalking(connection, claimRows(connection, owner));
        };
        connection.setAutoCommit(true);
        double elapsed = (System.nanoTime() - started) / 1e3;
        long ticks = ticks(backendPid) - ticksBefore;
        long after = walPosition(connection);
        long left = single(connection, "SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL");
        if (left != 0) {
            throw new IllegalStateException(left + " events left undrained by " + design);
        }
        return new Cost(design, events, batchesAndStatements[0], batchesAndStatements[1], ticks * 10_000.0 / events,
                (double) (after - before) / events, checkpoints(connection) - checkpointsBefore,
                elapsed / events);
    }

    /**
     * A lane that walks the aggregates, without the broker: claim, then settle, until a claim from
     * the start finds nothing; the cursor moves on after a walk that stopped early (full, or as
     * many aggregates as asked) and goes back to the start after one that reached the end, as the
     * dispatcher's does, and the claim sizing is the dispatcher's.
     */
    private static int[] drainWalking(Connection connection, WalkingLane lane) throws SQLException {
        AggregateKey cursor = AggregateKey.START;
        int aggregatesPerClaim = BATCH;
        int batches = 0;
        int statements = 0;
        Set<UUID> seen = new HashSet<>();
        while (true) {
            UUID token = UUID.randomUUID();
            List<ClaimedEvent> claimed = lane.claim(token, cursor, aggregatesPerClaim);
            connection.commit();
            statements += 2;
            if (claimed.isEmpty()) {
                if (cursor.equals(AggregateKey.START)) {
                    return new int[] {batches, statements};
                }
                cursor = AggregateKey.START;
                continue;
            }
            Set<String> aggregates = new HashSet<>();
            ClaimedEvent last = claimed.get(0);
            for (ClaimedEvent event : claimed) {
                if (!seen.add(event.id())) {
                    throw new IllegalStateException("event " + event.id() + " claimed twice");
                }
                aggregates.add(event.aggregateId());
                if (event.aggregateId().compareTo(last.aggregateId()) > 0) {
                    last = event;
                }
            }
            boolean walkStoppedEarly = claimed.size() == BATCH || aggregates.size() == aggregatesPerClaim;
            cursor = walkStoppedEarly ? new AggregateKey(last.aggregateType(), last.aggregateId()) : AggregateKey.START;
            aggregatesPerClaim = ClaimSizing.nextAggregatesPerClaim(aggregatesPerClaim, BATCH, claimed.size(), aggregates.size());
            lane.settle(token, claimed.stream().map(ClaimedEvent::id).toArray());
            connection.commit();
            statements++;
            batches++;
        }
    }

    /** The statements of a lane that walks the aggregates: a claim's (after its session settings) and a settle's. */
    private interface WalkingLane {
        List<ClaimedEvent> claim(UUID token, AggregateKey cursor, int aggregatesPerClaim) throws SQLException;

        void settle(UUID token, Object[] ids) throws SQLException;
    }

    /** Today's statements: {@link OutboxStore#CLAIM_SQL} leases the rows, {@link OutboxStore#DISPATCHED_SQL} settles them. */
    private static WalkingLane rowLeases(Connection connection, UUID owner) {
        return new WalkingLane() {
            @Override
            public List<ClaimedEvent> claim(UUID token, AggregateKey cursor, int aggregatesPerClaim) throws SQLException {
                try (PreparedStatement session = connection.prepareStatement(OutboxStore.CLAIM_SESSION_SQL)) {
                    session.executeQuery().close();
                }
                return OutboxStore.lease(connection, owner, token, cursor, BATCH, aggregatesPerClaim, Duration.ofSeconds(60));
            }

            @Override
            public void settle(UUID token, Object[] ids) throws SQLException {
                try (PreparedStatement settle = connection.prepareStatement(OutboxStore.DISPATCHED_SQL)) {
                    settle.setArray(1, connection.createArrayOf("uuid", new Object[0]));
                    settle.setArray(2, connection.createArrayOf("uuid", ids));
                    settle.setObject(3, token);
                    expectSettled(ids.length, settle.executeUpdate());
                }
            }
        };
    }

    /**
     * The claim-rows prototype: {@link #CLAIM_ROWS_BEGIN_SQL}, then {@link #CLAIM_ROWS_SQL}, which
     * writes one {@code outbox_claim} row and reads the events; {@link #CLAIM_ROWS_SETTLE_SQL}. A
     * claim of another owner stays live over a key range outside the backlog throughout
     * ({@link #drain}), so every visited aggregate is checked against a held range as it would be
     * with other lanes at work.
     */
    private static WalkingLane claimRows(Connection connection, UUID owner) {
        return new WalkingLane() {
            @Override
            public List<ClaimedEvent> claim(UUID token, AggregateKey cursor, int aggregatesPerClaim) throws SQLException {
                try (PreparedStatement begin = connection.prepareStatement(CLAIM_ROWS_BEGIN_SQL)) {
                    begin.executeQuery().close();
                }
                try (PreparedStatement claim = connection.prepareStatement(CLAIM_ROWS_SQL)) {
                    claim.setString(1, cursor.type());
                    claim.setString(2, cursor.id());
                    claim.setInt(3, Math.max(1, Math.min(aggregatesPerClaim, BATCH)));
                    claim.setInt(4, BATCH);
                    claim.setInt(5, BATCH);
                    claim.setObject(6, token);
                    claim.setObject(7, owner);
                    claim.setDouble(8, 60);
                    return OutboxStore.claimed(claim);
                }
            }

            @Override
            public void settle(UUID token, Object[] ids) throws SQLException {
                try (PreparedStatement settle = connection.prepareStatement(CLAIM_ROWS_SETTLE_SQL)) {
                    settle.setObject(1, token);
                    settle.setArray(2, connection.createArrayOf("uuid", new Object[0]));
                    settle.setArray(3, connection.createArrayOf("uuid", ids));
                    expectSettled(ids.length, settle.executeUpdate());
                }
            }
        };
    }

    private static void expectSettled(int expected, int settled) {
        if (settled != expected) {
            throw new IllegalStateException("settled " + settled + " of " + expected);
        }
    }

    /** The prototype's lane: read from owned partitions after their cursors, then the fenced settle. */
    private static int[] drainWithPartitionReads(Connection connection, UUID owner) throws SQLException {
        Short[] partitions = new Short[PARTITIONS];
        Long[] after = new Long[PARTITIONS];
        List<UUID> tokens = new ArrayList<>();
        try (Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT part, token FROM outbox_partition ORDER BY part")) {
            for (int p = 0; rows.next(); p++) {
                partitions[p] = rows.getShort(1);
                after[p] = 0L;
                tokens.add(rows.getObject(2, UUID.class));
            }
        }
        connection.commit();
        int batches = 0;
        int statements = 0;
        while (true) {
            List<UUID> ids = new ArrayList<>();
            Set<Short> batchPartitions = new HashSet<>();
            try (PreparedStatement session = connection.prepareStatement(OutboxStore.CLAIM_SESSION_SQL)) {
                session.executeQuery().close(); // the same planner settings as today's claim
            }
            try (PreparedStatement read = connection.prepareStatement(PARTITION_READ_SQL)) {
                read.setArray(1, connection.createArrayOf("smallint", partitions));
                read.setArray(2, connection.createArrayOf("bigint", after));
                read.setInt(3, BATCH);
                read.setInt(4, BATCH);
                try (ResultSet rows = read.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getObject(1, UUID.class));
                        rows.getString(6); // the payload, read as the dispatcher reads it
                        short partition = rows.getShort(10); // partitions are numbered 0..PARTITIONS-1
                        after[partition] = rows.getLong(11);
                        batchPartitions.add(partition);
                    }
                }
            }
            connection.commit();
            statements += 2;
            if (ids.isEmpty()) {
                return new int[] {batches, statements};
            }
            try (PreparedStatement settle = connection.prepareStatement(PARTITION_SETTLE_SQL)) {
                settle.setArray(1, connection.createArrayOf("smallint", batchPartitions.toArray()));
                settle.setObject(2, owner);
                settle.setArray(3, connection.createArrayOf("uuid", tokens.toArray()));
                settle.setArray(4, connection.createArrayOf("uuid", new Object[0]));
                settle.setArray(5, connection.createArrayOf("uuid", ids.toArray()));
                expectSettled(ids.size(), settle.executeUpdate());
            }
            connection.commit();
            statements++;
            batches++;
        }
    }

    private static long walPosition(Connection connection) throws SQLException {
        return single(connection, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
    }

    private static long checkpoints(Connection connection) throws SQLException {
        return single(connection, "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter");
    }

    private static long single(Connection connection, String query) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** User and system CPU time of a local process, in 10 ms ticks. */
    private static long ticks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
