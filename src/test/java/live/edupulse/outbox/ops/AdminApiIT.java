package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API behind the role outbox-admin: summary, listing with filters and paging, retry one
 * or all of an aggregate, discard with a reason, pause and resume for every instance; refusals.
 * Under policy retry with one attempt, an event nobody is bound to parks at once.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {

    static final String ADMIN = "outbox-admin:admin-test-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "1"));
    }

    @ArquillianResource
    URL base;

    @Test
    void adminApiNeedsTheRole() {
        String summary = base + "api/outbox/summary";
        assertEquals(401, request("GET", summary, null, null).statusCode());
        assertEquals(403, request("GET", summary, "viewer:viewer-test-password", null).statusCode());
        assertEquals(401, request("GET", summary, "outbox-admin:wrong", null).statusCode());
        assertEquals(200, request("GET", summary, ADMIN, null).statusCode());
        assertEquals(401, request("GET", base + "admin/index.html", null, null).statusCode());
        assertEquals(200, request("GET", base + "admin/index.html", ADMIN, null).statusCode());
    }

    @Test
    void parkedEventsAreListedRetriedAndDiscardedWithAReason() throws Exception {
        String type = "test_admin_" + UUID.randomUUID().toString().substring(0, 8);
        String poison = "test.admin.poison." + type;
        String routed = "test.admin.routed." + type;
        // aggregate A: a poison event then a routed one; aggregate B: a poison event then a routed one
        burst(type, "a", poison, 1);
        burst(type, "a", routed, 1);
        burst(type, "b", poison, 1);
        burst(type, "b", routed, 1);
        await().atMost(ofSeconds(20)).until(() -> parked(type, null).size() == 2);

        List<JsonNode> parkedOfA = parked(type, type + "-a-0");
        assertEquals(1, parkedOfA.size());
        JsonNode eventOfA = parkedOfA.get(0);
        assertTrue(eventOfA.get("lastError").asText().contains("NO_ROUTE"), eventOfA.toString());
        JsonNode summary = JSON.readTree(admin("GET", "summary", null).body());
        assertTrue(summary.get("parked").asLong() >= 0 && summary.has("deadTuples") && summary.has("publishedLastHour")
                && summary.has("oldestPendingAgeSeconds") && summary.has("broker") && summary.has("paused"), summary.toString());

        try (BrokerProbe probe = new BrokerProbe(poison, routed)) {
            // A: the operator fixed the binding (the probe), then retries the aggregate: both events go, in order
            HttpResponse<String> retried = admin("POST", "events/retry?aggregateType=" + type + "&aggregateId=" + type + "-a-0", null);
            assertEquals(200, retried.statusCode(), retried.body());
            assertEquals(1, JSON.readTree(retried.body()).get("retried").asInt());
            List<BrokerProbe.Delivery> ofA = probe.collect(ofAggregate(type + "-a-0"), 2, ofSeconds(20));
            assertEquals(List.of(1L, 2L), ofA.stream().map(d -> d.header("aggregate_seq")).toList());

            // B: discarded with a reason; its later event is released and delivered, the discarded one never
            String idOfB = parked(type, type + "-b-0").get(0).get("id").asText();
            HttpResponse<String> discarded = admin("POST", "events/" + idOfB + "/discard", "{\"reason\":\"obsolete test event\"}");
            assertEquals(200, discarded.statusCode(), discarded.body());
            BrokerProbe.Delivery released = probe.next(ofAggregate(type + "-b-0"), ofSeconds(20));
            assertEquals(2L, released.header("aggregate_seq"));
            JsonNode shown = JSON.readTree(admin("GET", "events?status=discarded&aggregateType=" + type, null).body()).get("items").get(0);
            assertEquals(idOfB, shown.get("id").asText());
            assertEquals("obsolete test event", shown.get("discardReason").asText());
            assertEquals("outbox-admin", shown.get("discardedBy").asText());
        }
    }

    @Test
    void pauseStopsDeliveryOnEveryPathAndResumeRestartsIt() throws Exception {
        String type = "test_pause_" + UUID.randomUUID().toString().substring(0, 8);
        String routed = "test.pause." + type;
        try (BrokerProbe probe = new BrokerProbe(routed)) {
            assertEquals(200, admin("POST", "pause", null).statusCode());
            try {
                assertTrue(JSON.readTree(admin("GET", "summary", null).body()).get("paused").asBoolean());
                burst(type, "p", routed, 3);
                // Three timer ticks and the commit's nudge pass: while paused, nothing is claimed.
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) {
                    assertEquals(0, Database.single("SELECT count(*) FROM outbox_event WHERE aggregate_type = ?"
                            + " AND (dispatched_at IS NOT NULL OR lease_token IS NOT NULL)", type));
                }
                assertTrue(probe.drainReceived(ofAggregate(type + "-p-0")).isEmpty());
            } finally {
                assertEquals(200, admin("POST", "resume", null).statusCode());
            }
            assertEquals(3, probe.collect(ofAggregate(type + "-p-0"), 3, ofSeconds(20)).size());
        }
    }

    @Test
    void badParametersAreRefusedAndChangeNothing() throws Exception {
        long before = Database.single("SELECT count(*) FROM outbox_event WHERE parked_at IS NOT NULL OR discarded_at IS NOT NULL");
        for (String[] bad : new String[][] {
                {"GET", "events?status=lost", null, "status"},
                {"GET", "events?page=-1", null, "page"},
                {"GET", "events?size=0", null, "size"},
                {"GET", "events?size=100000", null, "size"},
                {"GET", "events?size=ten", null, "size"},
                {"GET", "events?minAgeSeconds=-5", null, "minAgeSeconds"},
                {"POST", "events/not-a-uuid/retry", null, "id"},
                {"POST", "events/retry", null, "aggregateType"},
                {"POST", "events/retry?aggregateId=x", null, "aggregateType"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{}", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"  \"}", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "not json", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"" + "x".repeat(501) + "\"}", "reason"}}) {
            HttpResponse<String> response = admin(bad[0], bad[1], bad[2]);
            assertEquals(400, response.statusCode(), bad[1] + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals(bad[3], JSON.readTree(response.body()).get("field").asText(), bad[1]);
        }
        HttpResponse<String> notParked = admin("POST", "events/" + UUID.randomUUID() + "/retry", null);
        assertEquals(409, notParked.statusCode(), notParked.body());
        assertEquals(before, Database.single("SELECT count(*) FROM outbox_event WHERE parked_at IS NOT NULL OR discarded_at IS NOT NULL"));
    }

    private List<JsonNode> parked(String type, String aggregateId) throws Exception {
        HttpResponse<String> listed = admin("GET", "events?status=parked&aggregateType=" + type
                + (aggregateId == null ? "" : "&aggregateId=" + aggregateId) + "&size=10", null);
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode page = JSON.readTree(listed.body());
        assertEquals(0, page.get("page").asInt());
        List<JsonNode> items = new java.util.ArrayList<>();
        page.get("items").forEach(items::add);
        return items;
    }

    private void burst(String type, String prefix, String routingKey, int count) {
        HttpResponse<String> response = new Http(base).post("api/test/events?type=" + type + "&prefix=" + type + "-" + prefix
                + "&routingKey=" + routingKey + "&count=" + count + "&aggregates=1&perTransaction=" + count, null);
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> admin(String method, String path, String json) {
        return request(method, base + "api/outbox/" + path, ADMIN, json);
    }

    static HttpResponse<String> request(String method, String url, String credentials, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
