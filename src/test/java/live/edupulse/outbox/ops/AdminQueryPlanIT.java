package live.edupulse.outbox.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.ops.OutboxAdministration.Filter;
import live.edupulse.outbox.ops.OutboxAdministration.Status;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.PlanFixture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API's queries against 200,000 rows of one aggregate type ({@link PlanFixture}),
 * deleted afterwards: every listing's plan reads an index, never the whole table; a deep offset is
 * refused and keyset paging reaches any depth; a statement the database keeps waiting, a listing
 * or an operator's command, is cancelled by outbox.admin.query-timeout.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminQueryPlanIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "test_plan_" + UUID.randomUUID().toString().substring(0, 8);
    private static final int ROWS = 200_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.admin.query-timeout", "2s"));
    }

    @ArquillianResource
    URL base;

    @BeforeAll
    static void twoHundredThousandRows() throws Exception {
        PlanFixture.insert(TYPE, ROWS);
    }

    @AfterAll
    static void deleteTheRows() throws Exception {
        PlanFixture.delete(TYPE);
    }

    @Test
    void everyAdminQueryReadsAnIndexNotTheTable() throws Exception {
        List<EventListing> listings = new ArrayList<>();
        for (Status status : Status.values()) {
            listings.add(EventListing.of(new Filter(status, null, null, null, null, 0, 51, null)));
            listings.add(EventListing.of(new Filter(status, null, null, null, null, 200, 50, null)));
            listings.add(EventListing.of(new Filter(status, TYPE, null, null, null, 0, 50, null)));
            listings.add(EventListing.of(new Filter(status, TYPE, "agg-7", null, null, 0, 50, null)));
            listings.add(EventListing.of(new Filter(status, null, null, "test.plan.3", null, 0, 50, null)));
            listings.add(EventListing.of(new Filter(status, null, null, null, 3600L, 0, 50, null)));
            listings.add(EventListing.of(new Filter(status, TYPE, null, "test.plan.3", 60L, 0, 200, 1_000_000L)));
        }
        // the last hour's counts: theLastHoursCountsHaveAnIndexForTheirRange; the operator's
        // commands: outbox/dispatch/OperatorCommandPlanIT
        try (Connection connection = Database.connect()) {
            for (EventListing listing : listings) {
                String plan = explain(connection, listing);
                System.out.println("PLAN " + listing.sql().replaceAll("\\s+", " ") + " " + listing.parameters() + "\n" + plan);
                assertFalse(plan.contains("Seq Scan on outbox_event"), listing.sql() + "\n" + plan);
                assertTrue(plan.contains("Index"), listing.sql() + "\n" + plan);
            }
        }
    }

    /**
     * The last hour's counts read the dispatched index's range of that hour when it is a small part
     * of the table; when the shared test database's last hour holds most of its dispatched rows, a
     * scan is the cheaper plan the planner rightly takes. So this checks that an index serves the
     * statement, and the statement runs at most every 30 s for all callers (SharedRefreshTest).
     */
    @Test
    void theLastHoursCountsHaveAnIndexForTheirRange() throws Exception {
        try (Connection connection = Database.connect(); Statement settings = connection.createStatement()) {
            connection.setAutoCommit(false);
            settings.execute("SET LOCAL enable_seqscan = off");
            String plan = explain(connection, new EventListing(OutboxAdministration.HOUR_COUNTS_SQL, List.of()));
            System.out.println("PLAN " + OutboxAdministration.HOUR_COUNTS_SQL.replaceAll("\\s+", " ") + "\n" + plan);
            assertTrue(plan.contains("outbox_event_dispatched_idx"), plan);
            connection.rollback();
        }
    }

    @Test
    void aDeepPageIsRefusedAndKeysetPagingReachesAnyDepth() throws Exception {
        HttpResponse<String> deep = admin("events?status=discarded&aggregateType=" + TYPE + "&page=1000&size=50");
        assertEquals(400, deep.statusCode(), deep.body());
        JsonNode problem = JSON.readTree(deep.body());
        assertEquals("page", problem.get("field").asText());
        assertTrue(problem.get("detail").asText().contains("after="), problem.toString());

        // the 20,000th discarded event of the type, and the keyset page right after it
        long deepSeq = Database.single("SELECT seq FROM outbox_event WHERE aggregate_type = ? AND discarded_at IS NOT NULL"
                + " ORDER BY seq OFFSET 19999 LIMIT 1", TYPE);
        List<Long> expected = Database.longs("SELECT seq FROM outbox_event WHERE aggregate_type = ? AND discarded_at IS NOT NULL"
                + " AND seq > ? ORDER BY seq LIMIT 400", TYPE, deepSeq);
        List<Long> seen = new ArrayList<>();
        Long after = deepSeq;
        long started = System.nanoTime();
        for (int page = 0; page < 2; page++) {
            HttpResponse<String> listed = admin("events?status=discarded&aggregateType=" + TYPE + "&size=200&after=" + after);
            assertEquals(200, listed.statusCode(), listed.body());
            JsonNode body = JSON.readTree(listed.body());
            body.get("items").forEach(item -> seen.add(item.get("seq").asLong()));
            assertTrue(body.get("hasMore").asBoolean());
            after = body.get("nextAfter").asLong();
        }
        System.out.printf("PLAN two keyset pages of 200 after the 20,000th discarded event in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
        assertEquals(expected, seen);
    }

    @Test
    void anAdminQueryTheDatabaseKeepsWaitingIsCancelledByItsTimeout() throws Exception {
        try (Connection holder = Database.connect(); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE outbox_event IN ACCESS EXCLUSIVE MODE");
            try {
                CompletableFuture<HttpResponse<String>> listing =
                        CompletableFuture.supplyAsync(() -> admin("events?status=parked&aggregateType=" + TYPE));
                // the table stays locked until the answer arrives: only the timeout can end the wait
                HttpResponse<String> answer = listing.get(15, TimeUnit.SECONDS);
                assertEquals(503, answer.statusCode(), answer.body());
                assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
            } finally {
                holder.rollback();
            }
        }
        assertEquals(200, admin("events?status=parked&aggregateType=" + TYPE).statusCode());
    }

    @Test
    void anOperatorCommandTheDatabaseKeepsWaitingIsCancelledByItsTimeoutAndChangesNothing() throws Exception {
        String parked;
        try (Connection holder = Database.connect();
             PreparedStatement lock = holder.prepareStatement("SELECT id FROM outbox_event WHERE aggregate_type = ?"
                     + " AND parked_at IS NOT NULL AND dispatched_at IS NULL LIMIT 1 FOR UPDATE")) {
            holder.setAutoCommit(false);
            lock.setString(1, TYPE);
            try (ResultSet row = lock.executeQuery()) {
                assertTrue(row.next(), "the fixture has parked rows");
                parked = row.getString(1);
            }
            try {
                CompletableFuture<HttpResponse<String>> retry = CompletableFuture.supplyAsync(() -> AdminApiIT.request(
                        "POST", base + "api/outbox/events/" + parked + "/retry", AdminApiIT.ADMIN, null));
                // the row stays locked until the answer arrives: only the timeout can end the wait
                HttpResponse<String> answer = retry.get(15, TimeUnit.SECONDS);
                assertEquals(503, answer.statusCode(), answer.body());
                assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElse(""));
            } finally {
                holder.rollback();
            }
        }
        try (Connection connection = Database.connect();
             PreparedStatement still = connection.prepareStatement(
                     "SELECT parked_at IS NOT NULL FROM outbox_event WHERE id = ?::uuid")) {
            still.setString(1, parked);
            try (ResultSet row = still.executeQuery()) {
                assertTrue(row.next() && row.getBoolean(1), "the cancelled retry changed nothing");
            }
        }
    }

    private static String explain(Connection connection, EventListing listing) throws Exception {
        return PlanFixture.explain(connection, listing.sql(), listing.parameters());
    }

    private HttpResponse<String> admin(String path) {
        return AdminApiIT.request("GET", base + "api/outbox/" + path, AdminApiIT.ADMIN, null);
    }
}
