package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerMetrics;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Health (readiness = database, broker and backlog as data), metrics in Prometheus format, trace context. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthAndMetricsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    @Test
    void readinessIsTheDatabaseWithBrokerAndBacklogAsData() throws Exception {
        Http health = new Http(ServerUnderTest.current().health());
        await().atMost(ofSeconds(20)).until(() -> outboxCheck(health.get("health/ready")).path("data")
                .path("broker").asText().equals("CONNECTED"));
        JsonNode check = outboxCheck(health.get("health/ready"));
        assertEquals("UP", check.get("status").asText());
        JsonNode data = check.get("data");
        assertTrue(data.has("pending") && data.has("parked") && data.has("oldestPendingAgeSeconds"), data.toString());

        HttpResponse<String> live = health.get("health/live");
        assertEquals(200, live.statusCode(), live.body());
        JsonNode liveness = find(JSON.readTree(live.body()), "outbox-dispatcher");
        assertEquals("UP", liveness.get("status").asText());
        String dispatcher = liveness.path("data").path("dispatcher").asText();
        assertEquals(dispatcher, UUID.fromString(dispatcher).toString(), "the dispatcher's id (its leases' lease_owner)");
    }

    @Test
    void metricsCountRecordedAndPublishedEventsAndTimeThem() throws Exception {
        Http http = new Http(base);
        double recordedBefore = ServerMetrics.value(http, "outbox_events_recorded_total");
        double publishedBefore = ServerMetrics.value(http, "outbox_events_published_total");
        double latenciesBefore = ServerMetrics.value(http, "outbox_commit_to_confirm_seconds_count");
        int pulses = 5;
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.created")) {
            for (int i = 0; i < pulses; i++) {
                String id = createPulse(http, null);
                probe.next(ofAggregate(id), ofSeconds(15));
            }
        }
        // a settled batch is counted as published, then its latencies: wait for both
        await().atMost(ofSeconds(10)).until(() -> ServerMetrics.value(http, "outbox_events_published_total") >= publishedBefore + pulses
                && ServerMetrics.value(http, "outbox_commit_to_confirm_seconds_count") >= latenciesBefore + pulses);
        assertTrue(ServerMetrics.value(http, "outbox_events_recorded_total") >= recordedBefore + pulses);
        String text = http.get("metrics").body();
        for (String name : new String[] {"outbox_events_unroutable_total", "outbox_attempts_failed_total",
                "outbox_events_parked_total", "outbox_events_pending", "outbox_events_parked_current",
                "outbox_oldest_pending_age_seconds", "outbox_drain_batch_seconds_bucket",
                "outbox_commit_to_confirm_seconds_bucket", "outbox_events_fenced_total", "outbox_dispatch_pauses_total",
                "outbox_drain_overruns_total", "inbox_events_applied_total{consumer=\"pulse-statistics\"",
                "inbox_attempts_failed_total{consumer=\"pulse-statistics\"",
                "inbox_events_parked_total{consumer=\"pulse-statistics\"",
                "inbox_messages_refused_total{consumer=\"pulse-statistics\"",
                "inbox_events_parked_current{consumer=\"pulse-statistics\""}) {
            assertTrue(text.contains(name), name + " is exported");
        }
    }

    @Test
    void traceparentOfTheRequestTravelsWithTheMessage() throws Exception {
        Http http = new Http(base);
        String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-00f067aa0ba902b7-01";
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.created")) {
            String traced = createPulse(http, traceparent);
            assertEquals(traceparent, probe.next(ofAggregate(traced), ofSeconds(15)).header("traceparent"));

            String untraced = createPulse(http, null);
            assertNull(probe.next(ofAggregate(untraced), ofSeconds(15)).header("traceparent"));

            String invalid = createPulse(http, "00-not-a-trace");
            assertNull(probe.next(ofAggregate(invalid), ofSeconds(15)).header("traceparent"));
        }
    }

    static String createPulse(Http http, String traceparent) throws Exception {
        HttpResponse<String> created = traceparent == null
                ? http.post("api/pulses", "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Metrics\"}")
                : http.sendWithHeader("POST", "api/pulses", "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Traced\"}",
                "traceparent", traceparent);
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("id").asText();
    }

    private static JsonNode outboxCheck(HttpResponse<String> ready) throws Exception {
        assertFalse(ready.body().isEmpty());
        return find(JSON.readTree(ready.body()), "outbox-database");
    }

    private static JsonNode find(JsonNode health, String name) {
        for (JsonNode check : health.get("checks")) {
            if (name.equals(check.get("name").asText())) {
                return check;
            }
        }
        throw new AssertionError(name + " not in " + health);
    }
}
