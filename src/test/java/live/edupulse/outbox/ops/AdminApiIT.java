package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        String history = base + "api/outbox/history";
        assertEquals(401, request("GET", history, null, null).statusCode());
        assertEquals(403, request("GET", history, "viewer:viewer-test-password", null).statusCode());
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
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"" + "x".repeat(501) + "\"}", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"forged\\nINFO admin resumed\"}", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"forged\\r\\nline\"}", "reason"},
                {"POST", "events/" + UUID.randomUUID() + "/discard", "{\"reason\":\"forged\\u2028line\"}", "reason"},
                {"GET", "events?page=100000", null, "page"},
                {"GET", "events?after=-1", null, "after"},
                {"GET", "events?after=12&page=1", null, "page"}}) {
            HttpResponse<String> response = admin(bad[0], bad[1], bad[2]);
            assertEquals(400, response.statusCode(), bad[1] + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals(bad[3], JSON.readTree(response.body()).get("field").asText(), bad[1]);
        }
        HttpResponse<String> notParked = admin("POST", "events/" + UUID.randomUUID() + "/retry", null);
        assertEquals(409, notParked.statusCode(), notParked.body());
        assertEquals(before, Database.single("SELECT count(*) FROM outbox_event WHERE parked_at IS NOT NULL OR discarded_at IS NOT NULL"));
    }

    @Test
    void changesThatAreNotJsonAreRefusedAndChangeNothing() throws Exception {
        for (String[] change : new String[][] {
                {"pause", "application/x-www-form-urlencoded", "paused=true"},
                {"pause", "text/plain", "{}"},
                {"pause", "multipart/form-data; boundary=x", "--x--"},
                {"pause", null, null},
                {"events/retry?eventType=test.csrf", "text/plain", "{}"},
                {"events/" + UUID.randomUUID() + "/retry", "application/x-www-form-urlencoded", ""}}) {
            HttpResponse<String> refused = raw("POST", change[0], change[1], change[2], null, null);
            assertProblemStatus(refused, 415, change[0] + " as " + change[1]);
        }
        assertFalse(paused(), "a refused pause paused dispatch");
    }

    @Test
    void changesFromAnotherSiteAreRefusedAndChangeNothing() throws Exception {
        for (String[] header : new String[][] {
                {"Origin", "http://evil.example"},
                {"Origin", "null"},
                {"Origin", "http://127.0.0.1:1"},
                {"Origin", "https://" + base.getHost() + ":" + base.getPort()},
                {"Sec-Fetch-Site", "cross-site"},
                {"Sec-Fetch-Site", "same-site"}}) {
            HttpResponse<String> refused = raw("POST", "pause", "application/json", "{}", header[0], header[1]);
            assertProblemStatus(refused, 403, header[0] + ": " + header[1]);
        }
        assertFalse(paused(), "a refused pause paused dispatch");
        // the page's own requests: same origin, same-origin fetch
        String origin = base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
        try {
            assertEquals(200, raw("POST", "pause", "application/json", "{}", "Origin", origin).statusCode());
            assertTrue(paused());
        } finally {
            assertEquals(200, raw("POST", "resume", "application/json", "{}", "Sec-Fetch-Site", "same-origin").statusCode());
        }
        assertFalse(paused());
    }

    @Test
    void adminPageAndApiResponsesCarrySecurityHeaders() {
        for (HttpResponse<String> response : List.of(
                request("GET", base + "admin/index.html", ADMIN, null),
                request("GET", base + "admin/admin.js", ADMIN, null),
                request("GET", base + "admin/admin.css", ADMIN, null),
                admin("GET", "summary", null),
                admin("GET", "events?status=parked", null),
                admin("GET", "events?status=lost", null),
                raw("POST", "pause", "text/plain", "{}", null, null))) {
            String what = response.request().method() + " " + response.uri() + " " + response.statusCode();
            String policy = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), what + ": " + policy);
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), what);
            assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""), what);
            // Liberty adds no-cache=set-cookie beside it when it sets its login cookie
            assertTrue(response.headers().allValues("Cache-Control").stream()
                    .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                    .anyMatch(directive -> directive.trim().equals("no-store")), what + ": " + response.headers().allValues("Cache-Control"));
        }
    }

    private boolean paused() throws Exception {
        return Database.single("SELECT CASE WHEN paused THEN 1 ELSE 0 END FROM outbox_control WHERE id = 1") == 1;
    }

    private static void assertProblemStatus(HttpResponse<String> response, int status, String what) throws Exception {
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), what);
        assertEquals(status, JSON.readTree(response.body()).get("status").asInt(), what);
    }

    /** A POST as a browser or a script might send it: any content type, one extra header. */
    private HttpResponse<String> raw(String method, String path, String contentType, String body, String header, String value) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "api/outbox/" + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(ADMIN.getBytes(StandardCharsets.UTF_8)));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (header != null) {
            request.header(header, value);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
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

    /** A POST without a body of its own sends {@code {}} as JSON: the admin API takes changes only as JSON. */
    static HttpResponse<String> request(String method, String url, String credentials, String json) {
        String body = json == null && method.equals("POST") ? "{}" : json;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
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
