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
 * What one drained event costs PostgreSQL under two claim designs, measured on the real database in
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

    /** The two designs measured. */
    public enum Design {
        ROW_LEASES("row leases (today)"),
        PARTITION_READ("partition read (prototype)");

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
        int[] batchesAndStatements = design == Design.ROW_LEASES
                ? drainWithRowLeases(connection, owner) : drainWithPartitionReads(connection, owner);
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
     * Today's lane, without the broker: claim (walk and lease), then settle, until a claim from the
     * start finds nothing; the cursor moves on after a walk that stopped early (full, or as many
     * aggregates as asked) and goes back to the start after one that reached the end, as the
     * dispatcher's does.
     */
    private static int[] drainWithRowLeases(Connection connection, UUID owner) throws SQLException {
        AggregateKey cursor = AggregateKey.START;
        int aggregatesPerClaim = BATCH;
        int batches = 0;
        int statements = 0;
        while (true) {
            UUID token = UUID.randomUUID();
            try (PreparedStatement session = connection.prepareStatement(OutboxStore.CLAIM_SESSION_SQL)) {
                session.executeQuery().close();
            }
            List<ClaimedEvent> claimed = OutboxStore.lease(connection, owner, token, cursor, BATCH, aggregatesPerClaim,
                    Duration.ofSeconds(60));
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
                aggregates.add(event.aggregateId());
                if (event.aggregateId().compareTo(last.aggregateId()) > 0) {
                    last = event;
                }
            }
            boolean walkStoppedEarly = claimed.size() == BATCH || aggregates.size() == aggregatesPerClaim;
            cursor = walkStoppedEarly ? new AggregateKey(last.aggregateType(), last.aggregateId()) : AggregateKey.START;
            aggregatesPerClaim = ClaimSizing.nextAggregatesPerClaim(aggregatesPerClaim, BATCH, claimed.size(), aggregates.size());
            try (PreparedStatement settle = connection.prepareStatement(OutboxStore.DISPATCHED_SQL)) {
                settle.setArray(1, connection.createArrayOf("uuid", new Object[0]));
                settle.setArray(2, connection.createArrayOf("uuid", claimed.stream().map(ClaimedEvent::id).toArray()));
                settle.setObject(3, token);
                settle.executeUpdate();
            }
            connection.commit();
            statements++;
            batches++;
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
                int settled = settle.executeUpdate();
                if (settled != ids.size()) {
                    throw new IllegalStateException("settled " + settled + " of " + ids.size());
                }
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
