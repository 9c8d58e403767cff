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
 * (a checkpoint just before the drain keeps full-page images out of it; one that falls inside is
 * reported), and the elapsed time of the loop.
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
                    (double) statements / batches, checkpoints == 0 ? "" : "; a checkpoint fell inside (full-page images in the WAL)");
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

    /** The one write: dispatched, only while the settling owner still holds the row's partition. */
    private static final String PARTITION_SETTLE_SQL = """
            UPDATE outbox_event e
               SET dispatched_at = clock_timestamp(), unroutable = (e.id = ANY(?::uuid[]))
             WHERE e.id = ANY(?::uuid[])
               AND EXISTS (SELECT 1 FROM outbox_partition p
                            WHERE p.part = e.part AND p.owner = ? AND p.token = ANY(?::uuid[])
                              AND p.lease_until > now())
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
            sql.execute("CHECKPOINT"); // no checkpoint (and so no full-page images) during the drain that follows
            int events = aggregates * eventsEach;
            sql.execute("INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type,"
                    + " payload, part)"
                    + " SELECT gen_random_uuid(), 'bench', 'aggregate-' || (n % " + aggregates + "), n / "
                    + aggregates + " + 1, 'bench.event', '{\"n\":' || n || ',\"text\":\"' || repeat('x', "
                    + (PAYLOAD_BYTES - 30) + ") || '\"}', abs(hashtext('bench/aggregate-' || (n % " + aggregates
                    + "))) % " + PARTITIONS + " FROM generate_series(0, " + (events - 1) + ") n");
            sql.execute("VACUUM (ANALYZE) outbox_event");
            try {
                return measure(connection, design, owner, events);
            } finally {
                sql.execute("DROP SCHEMA " + SCHEMA + " CASCADE");
            }
        }
    }

    private static Cost measure(Connection connection, Design design, UUID owner, int events) throws Exception {
        long backendPid;
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            backendPid = row.getLong(1);
        }
        Wal before = wal(connection);
        long ticksBefore = ticks(backendPid);
        long started = System.nanoTime();
        connection.setAutoCommit(false);
        int[] batchesAndStatements = design == Design.ROW_LEASES
                ? drainWithRowLeases(connection, owner) : drainWithPartitionReads(connection, owner);
        connection.setAutoCommit(true);
        double elapsed = (System.nanoTime() - started) / 1e3;
        long ticks = ticks(backendPid) - ticksBefore;
        Wal after = wal(connection);
        long left = 0;
        try (Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT count(*) FROM outbox_event WHERE dispatched_at IS NULL")) {
            row.next();
            left = row.getLong(1);
        }
        if (left != 0) {
            throw new IllegalStateException(left + " events left undrained by " + design);
        }
        return new Cost(design, events, batchesAndStatements[0], batchesAndStatements[1], ticks * 10_000.0 / events,
                (double) (after.bytes - before.bytes) / events, after.checkpoints - before.checkpoints,
                elapsed / events);
    }

    /** Today's lane, without the broker: claim (walk and lease), then settle, until a claim from the start finds nothing. */
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
            aggregatesPerClaim = ClaimSizing.nextAggregatesPerClaim(aggregatesPerClaim, BATCH, claimed.size(), aggregates.size());
            cursor = new AggregateKey(last.aggregateType(), last.aggregateId());
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
                        after[rows.getShort(10)] = rows.getLong(11);
                    }
                }
            }
            connection.commit();
            statements += 2;
            if (ids.isEmpty()) {
                return new int[] {batches, statements};
            }
            try (PreparedStatement settle = connection.prepareStatement(PARTITION_SETTLE_SQL)) {
                settle.setArray(1, connection.createArrayOf("uuid", new Object[0]));
                settle.setArray(2, connection.createArrayOf("uuid", ids.toArray()));
                settle.setObject(3, owner);
                settle.setArray(4, connection.createArrayOf("uuid", tokens.toArray()));
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

    private record Wal(long bytes, long checkpoints) {
    }

    private static Wal wal(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement();
             ResultSet row = sql.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint,"
                     + " checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")) {
            row.next();
            return new Wal(row.getLong(1), row.getLong(2));
        }
    }

    /** User and system CPU time of a local process, in 10 ms ticks. */
    private static long ticks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
