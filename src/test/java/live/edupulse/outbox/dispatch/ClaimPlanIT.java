package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static live.edupulse.outbox.dispatch.QueryPlans.nodes;
import static live.edupulse.outbox.dispatch.QueryPlans.numberedParameters;
import static live.edupulse.outbox.dispatch.QueryPlans.readsOutbox;
import static live.edupulse.outbox.dispatch.QueryPlans.rowsReadFromOutbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.ScratchSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The claim statement on the real PostgreSQL, outside any server, in a scratch schema built from the
 * application's own migrations. A quiet outbox is analyzed while it holds no pending row, then a
 * backlog arrives before autovacuum analyzes it again (a broker outage does exactly that): the
 * claim's plan must still read a bounded number of rows, not the whole backlog.
 *
 * <p>The statement's earlier shape checked "no earlier pending event" with a {@code NOT EXISTS}
 * that PostgreSQL, trusting statistics that said the pending index was empty, turned into an
 * anti-join over a materialized copy of every pending row: 3 s per claim at 100,000 pending.
 * And the plan must not depend on the server's cost settings either: the claim's transaction turns
 * sequential and bitmap scans and JIT off (a bloated index once made PostgreSQL walk the aggregates
 * with sequential scans, 2.8 s per claim; JIT compiling took half a second per claim).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimPlanIT {

    private static final String SCHEMA = "claim_plan_lab";
    private static final int AGGREGATES = 200;
    private static final int PENDING_PER_AGGREGATE = 100;
    private static final int BACKLOG = AGGREGATES * PENDING_PER_AGGREGATE;

    @BeforeAll
    void quietOutboxAnalyzedThenABacklog() throws Exception {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            ScratchSchema.create(sql, SCHEMA);
            // the statistics stay as this test makes them
            sql.execute("ALTER TABLE outbox_event SET (autovacuum_enabled = false)");
            sql.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload, dispatched_at)
                    SELECT gen_random_uuid(), 'lab', 'agg-' || (g % 20), g, 'lab.e', repeat('x', 600), now()
                      FROM generate_series(1, 2000) g""");
            sql.execute("ANALYZE outbox_event");
            sql.execute("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                    SELECT gen_random_uuid(), 'lab', 'agg-' || lpad((g %% %1$d)::text, 4, '0'), 1000 + g / %1$d,
                           'lab.e', repeat('x', 600)
                      FROM generate_series(0, %2$d - 1) g""".formatted(AGGREGATES, BACKLOG));
        }
    }

    @AfterAll
    void dropScratchSchema() throws SQLException {
        ScratchSchema.drop(SCHEMA);
    }

    @Test
    void steadyStateClaimReadsRowsOfTheAggregatesItVisitsNotTheBacklog() throws Exception {
        ClaimCost cost = explainClaim(2, 500, "auto", false);
        assertEquals(2 * PENDING_PER_AGGREGATE, cost.leased(), "both visited aggregates' runs leased");
        assertBounded(cost, 2 * PENDING_PER_AGGREGATE);
    }

    @Test
    void theGenericPlanOfTheServerPreparedStatementIsBoundedToo() throws Exception {
        // PgJDBC prepares the statement on the server after five executions; PostgreSQL may then keep a generic plan
        ClaimCost cost = explainClaim(2, 500, "force_generic_plan", false);
        assertEquals(2 * PENDING_PER_AGGREGATE, cost.leased());
        assertBounded(cost, 2 * PENDING_PER_AGGREGATE);
    }

    @Test
    void wideClaimReadsEachVisitedAggregateOnce() throws Exception {
        // a first claim visits as many aggregates as its batch holds and reads a run of each
        ClaimCost cost = explainClaim(50, 50, "auto", false);
        assertEquals(50, cost.leased());
        assertBounded(cost, 50 * 50);
    }

    @Test
    void aServerConfiguredAgainstTheClaimStillGetsIndexProbesAndNoJit() throws Exception {
        // JIT for every statement, and index reads priced a hundred thousand times sequential ones:
        // what a bloated pending index and stale statistics amount to. Without the claim's own
        // session settings this plan joins the picked rows against a sequential scan of the table.
        ClaimCost cost = explainClaim(2, 500, "auto", true);
        assertEquals(2 * PENDING_PER_AGGREGATE, cost.leased());
        assertBounded(cost, 2 * PENDING_PER_AGGREGATE);
        assertEquals(List.of(), scansOtherThanIndexProbes(cost.plan()), "every read of outbox_event is an index probe");
        if (jitAvailable()) {
            assertFalse(cost.jitCompiled(), "the claim's session switches JIT off");
        }
    }

    private static boolean jitAvailable() throws SQLException {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement();
             ResultSet available = sql.executeQuery("SELECT pg_jit_available()")) {
            available.next();
            return available.getBoolean(1);
        }
    }

    /** Sequential and bitmap scans of outbox_event anywhere in the plan. */
    private static List<String> scansOtherThanIndexProbes(JsonNode plan) {
        return nodes(plan).stream()
                .filter(QueryPlans::readsOutbox)
                .map(node -> node.path("Node Type").asText())
                .filter(type -> type.equals("Seq Scan") || type.startsWith("Bitmap"))
                .toList();
    }

    /**
     * Each row of the visited aggregates' runs is read a few times (scan, sort, the update's lookup);
     * nothing may be read once per pending row of the whole backlog.
     */
    private static void assertBounded(ClaimCost cost, int rowsOfVisitedAggregates) {
        System.out.printf("CLAIM PLAN: leased %d of a %d-event backlog reading %d rows%n",
                cost.leased(), BACKLOG, cost.rowsRead());
        // the admin page's index of pending rows by seq reads the whole backlog for each aggregate
        assertTrue(nodes(cost.plan()).stream().noneMatch(node -> "outbox_event_pending_seq_idx".equals(node.path("Index Name").asText())),
                "the claim probes aggregates through outbox_event_pending_seq_idx; plan:\n" + cost.plan().toPrettyString());
        assertTrue(cost.rowsRead() <= 4L * rowsOfVisitedAggregates + 100,
                "the claim read " + cost.rowsRead() + " rows of a " + BACKLOG + "-event backlog to lease "
                        + cost.leased() + "; plan:\n" + cost.plan().toPrettyString());
    }

    /**
     * Runs the dispatcher's claim under EXPLAIN ANALYZE, in a transaction prepared as the dispatcher
     * prepares it and rolled back after; {@code hostileServer} first sets the server's JIT
     * threshold to zero and prices index reads far above sequential ones, so only the claim's own
     * session settings can keep its plan.
     */
    private static ClaimCost explainClaim(int aggregates, int batchSize, String planCacheMode,
                                          boolean hostileServer) throws Exception {
        try (Connection connection = Database.connect()) {
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.execute("SET LOCAL search_path = " + SCHEMA);
                sql.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
                if (hostileServer) {
                    sql.execute("SET LOCAL jit_above_cost = 0");
                    sql.execute("SET LOCAL seq_page_cost = 0.01");
                    sql.execute("SET LOCAL random_page_cost = 1000");
                    sql.execute("SET LOCAL cpu_index_tuple_cost = 10");
                }
                sql.execute("PREPARE lab_claim(text, text, int, int, int, uuid, uuid, float8) AS "
                        + numberedParameters(OutboxStore.CLAIM_SQL));
            }
            OutboxStore.prepareClaimSession(connection);
            // EXECUTE's arguments cannot be bind parameters; these are numbers and fresh UUIDs
            String explain = "EXECUTE lab_claim('', '', %d, %d, %d, '%s', '%s', 30)"
                    .formatted(aggregates, batchSize, batchSize, UUID.randomUUID(), UUID.randomUUID());
            try {
                JsonNode explained = QueryPlans.explainAnalyze(connection, explain);
                JsonNode plan = explained.get("Plan");
                return new ClaimCost(plan.get("Actual Rows").asLong(), rowsReadFromOutbox(plan),
                        explained.has("JIT"), plan);
            } finally {
                connection.rollback();
            }
        }
    }

    private record ClaimCost(long leased, long rowsRead, boolean jitCompiled, JsonNode plan) {
    }
}
