package live.edupulse.outbox.dispatch;

import static live.edupulse.outbox.dispatch.QueryPlans.numberedParameters;
import static live.edupulse.outbox.dispatch.QueryPlans.rowsReadFromOutbox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.ScratchSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The claim and the three settle statements on the real PostgreSQL, in a scratch schema whose
 * {@code outbox_event} was vacuumed and analyzed while its pages held no row (a drained outbox
 * after retention) and then received a burst of one-event aggregates and a dispatched history
 * before autovacuum analyzed it again. The statistics say its pages hold no rows; every statement
 * must still read only the rows it changes.
 *
 * <p>With such statistics PostgreSQL once joined the claim's picked rows against a full scan of the
 * primary key for each of them (16 s for a claim of 500 at 60,000 rows, so every claim hit the
 * statement timeout and dispatch stopped until the table was analyzed again), and joined the
 * dispatched and failed settles' arrays of ids against the whole table (35 ms a batch at 60,000
 * rows, growing with the history kept). The statements now find their rows by
 * {@code id = ANY(array)} (the release always did), which is an index
 * probe per id whatever the statistics say.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaleStatisticsPlanIT {

    private static final String SCHEMA = "stale_statistics_lab";
    private static final int BATCH = 500;
    private static final int PENDING = 20_000;
    private static final int HISTORY = 40_000;
    /** A statement may read each row it changes a few times (probe, sort, the update's lookup); not the table. */
    private static final long BOUND = 6L * BATCH + 100;

    @BeforeAll
    void emptyOutboxAnalyzedThenABurst() throws Exception {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            ScratchSchema.create(sql, SCHEMA);
            sql.execute("ALTER TABLE outbox_event SET (autovacuum_enabled = false)");
            // a drained outbox: retention deleted every row, and vacuum left the empty pages (it skips
            // truncating a table others are using, as they always use an outbox)
            sql.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload, dispatched_at)
                    SELECT gen_random_uuid(), 'lab', 'gone', g, 'lab.e', repeat('x', 600), now()
                      FROM generate_series(1, 10000) g""");
            sql.execute("DELETE FROM outbox_event");
            sql.execute("VACUUM (ANALYZE, TRUNCATE false) outbox_event");
            sql.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload, dispatched_at)
                    SELECT gen_random_uuid(), 'lab', 'old-' || (g %% 2000), g, 'lab.e', repeat('x', 600), now()
                      FROM generate_series(1, %d) g""".formatted(HISTORY));
            sql.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                    SELECT gen_random_uuid(), 'lab', 'new-' || lpad(g::text, 6, '0'), 1, 'lab.e', repeat('x', 600)
                      FROM generate_series(1, %d) g""".formatted(PENDING));
        }
    }

    @AfterAll
    void dropScratchSchema() throws SQLException {
        ScratchSchema.drop(SCHEMA);
    }

    @Test
    void claimOfOneEventAggregatesReadsTheRowsItLeases() throws Exception {
        inLabTransaction(connection -> {
            OutboxStore.prepareClaimSession(connection);
            prepare(connection, "lab_claim(text, text, int, int, int, uuid, uuid, float8)", OutboxStore.CLAIM_SQL);
            JsonNode plan = explain(connection, "EXECUTE lab_claim('', '', %d, %d, %d, '%s', '%s', 30)"
                    .formatted(BATCH, BATCH, BATCH, UUID.randomUUID(), UUID.randomUUID()));
            assertEquals(BATCH, plan.get("Actual Rows").asLong(), "a full batch leased");
            assertReadsAtMostBound("claim", plan);
        });
    }

    @Test
    void settlingDispatchedEventsReadsTheirRows() throws Exception {
        inLabTransaction(connection -> {
            Claim claim = claim(connection);
            prepare(connection, "lab_dispatched(uuid[], uuid[], uuid)", OutboxStore.DISPATCHED_SQL);
            JsonNode plan = explain(connection, "EXECUTE lab_dispatched('{%s}', '%s', '%s')"
                    .formatted(claim.events().get(0).id(), uuids(claim), claim.token()));
            assertEquals(BATCH, updated(plan), "every leased row marked dispatched");
            assertReadsAtMostBound("settle (dispatched)", plan);
        });
    }

    @Test
    void settlingFailedEventsReadsTheirRows() throws Exception {
        inLabTransaction(connection -> {
            Claim claim = claim(connection);
            prepare(connection, "lab_failed(uuid[], text[], bigint[], boolean[], uuid[], uuid)", OutboxStore.FAILED_SQL);
            String errors = claim.events().stream().map(event -> "nack").collect(Collectors.joining(",", "{", "}"));
            String delays = claim.events().stream().map(event -> "1000").collect(Collectors.joining(",", "{", "}"));
            String park = claim.events().stream().map(event -> "false").collect(Collectors.joining(",", "{", "}"));
            JsonNode plan = explain(connection, "EXECUTE lab_failed('%s', '%s', '%s', '%s', '%s', '%s')"
                    .formatted(uuids(claim), errors, delays, park, uuids(claim), claim.token()));
            assertEquals(BATCH, plan.get("Actual Rows").asLong(), "every leased row given its attempt");
            assertReadsAtMostBound("settle (failed)", plan);
        });
    }

    @Test
    void releasingEventsReadsTheirRows() throws Exception {
        inLabTransaction(connection -> {
            Claim claim = claim(connection);
            prepare(connection, "lab_released(uuid[], uuid)", OutboxStore.RELEASED_SQL);
            JsonNode plan = explain(connection, "EXECUTE lab_released('%s', '%s')".formatted(uuids(claim), claim.token()));
            assertEquals(BATCH, updated(plan), "every leased row released");
            assertReadsAtMostBound("settle (released)", plan);
        });
    }

    /** Leases a batch as the dispatcher does, then gives the transaction the server's planner settings back, as a settle has them. */
    private static Claim claim(Connection connection) throws SQLException {
        OutboxStore.prepareClaimSession(connection);
        UUID token = UUID.randomUUID();
        List<ClaimedEvent> events = OutboxStore.lease(connection, UUID.randomUUID(), token, AggregateKey.START,
                BATCH, BATCH, Duration.ofSeconds(30));
        assertEquals(BATCH, events.size(), "a full batch leased");
        try (Statement sql = connection.createStatement()) {
            sql.execute("SET LOCAL jit TO DEFAULT");
            sql.execute("SET LOCAL enable_seqscan TO DEFAULT");
            sql.execute("SET LOCAL enable_bitmapscan TO DEFAULT");
        }
        return new Claim(token, events);
    }

    private static String uuids(Claim claim) {
        return claim.events().stream().map(event -> event.id().toString()).collect(Collectors.joining(",", "{", "}"));
    }

    /** Rows an UPDATE without RETURNING changed (its plan's top node returns none). */
    private static long updated(JsonNode plan) {
        return QueryPlans.nodes(plan).stream()
                .filter(node -> "ModifyTable".equals(node.path("Node Type").asText()))
                .findFirst().orElseThrow()
                .path("Plans").get(0).path("Actual Rows").asLong();
    }

    private static void assertReadsAtMostBound(String statement, JsonNode plan) {
        long read = rowsReadFromOutbox(plan);
        System.out.printf("STALE STATISTICS PLAN: %s read %d rows of outbox_event (%d pending, %d dispatched)%n",
                statement, read, PENDING, HISTORY);
        assertTrue(read <= BOUND, statement + " read " + read + " rows of outbox_event for a batch of " + BATCH
                + "; plan:\n" + plan.toPrettyString());
    }

    private static void prepare(Connection connection, String signature, String jdbcSql) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.execute("PREPARE " + signature + " AS " + numberedParameters(jdbcSql));
        }
    }

    /** EXECUTE's arguments cannot be bind parameters: the statements get literal arrays of UUIDs and numbers. */
    private static JsonNode explain(Connection connection, String execute) throws SQLException {
        return QueryPlans.explainAnalyze(connection, execute).get("Plan");
    }

    private static void inLabTransaction(LabWork work) throws Exception {
        try (Connection connection = Database.connect()) {
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.execute("SET LOCAL search_path = " + SCHEMA);
            }
            try {
                work.run(connection);
            } finally {
                connection.rollback();
            }
        }
    }

    @FunctionalInterface
    private interface LabWork {
        void run(Connection connection) throws Exception;
    }
}
