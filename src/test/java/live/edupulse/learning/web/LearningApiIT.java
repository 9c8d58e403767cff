package live.edupulse.learning.web;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.BrokerProbe.Delivery;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The learning API over HTTP: each endpoint's success path and the message it produces. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LearningApiIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    @Test
    void pulseLifecycleProducesItsEventsInOrderWithRisingVersions() throws Exception {
        Http http = new Http(base);
        UUID authorId = UUID.randomUUID();
        UUID studentId = UUID.randomUUID();
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.*", "submission.*")) {
            HttpResponse<String> created = http.post("api/pulses",
                    "{\"authorId\":\"" + authorId + "\",\"title\":\"Fractions: \u00bd + \u2153?\"}");
            assertEquals(201, created.statusCode(), created.body());
            JsonNode pulse = JSON.readTree(created.body());
            String pulseId = pulse.get("id").asText();
            assertEquals(base + "api/pulses/" + pulseId, created.headers().firstValue("Location").orElseThrow());
            assertEquals("open", pulse.get("status").asText());
            long createdVersion = pulse.get("version").asLong();

            Delivery createdEvent = probe.next(ofAggregate(pulseId), ofSeconds(15));
            assertEquals("learning_pulse.created", createdEvent.routingKey());
            assertEquals("learning_pulse", createdEvent.header("aggregate_type"));
            assertEquals(Map.of("pulseId", pulseId, "authorId", authorId.toString(), "title", "Fractions: \u00bd + \u2153?",
                    "version", createdVersion), payloadOf(createdEvent));

            HttpResponse<String> read = http.get("api/pulses/" + pulseId);
            assertEquals(200, read.statusCode());
            assertEquals(pulse, JSON.readTree(read.body()));

            HttpResponse<String> retitled = http.patch("api/pulses/" + pulseId, "{\"title\":\"Fractions, part 2\"}");
            assertEquals(200, retitled.statusCode(), retitled.body());
            assertEquals(createdVersion + 1, JSON.readTree(retitled.body()).get("version").asLong());
            Delivery retitledEvent = probe.next(ofAggregate(pulseId), ofSeconds(15));
            assertEquals("learning_pulse.retitled", retitledEvent.routingKey());
            assertEquals(Map.of("pulseId", pulseId, "title", "Fractions, part 2", "version", createdVersion + 1),
                    payloadOf(retitledEvent));

            HttpResponse<String> submitted = http.post("api/pulses/" + pulseId + "/submissions",
                    "{\"studentId\":\"" + studentId + "\",\"answer\":\"5/6\\nbecause 3/6 + 2/6\"}");
            assertEquals(201, submitted.statusCode(), submitted.body());
            JsonNode submission = JSON.readTree(submitted.body());
            String submissionId = submission.get("id").asText();
            assertEquals(base + "api/pulses/" + pulseId + "/submissions/" + submissionId,
                    submitted.headers().firstValue("Location").orElseThrow());
            Delivery receivedEvent = probe.next(ofAggregate(submissionId), ofSeconds(15));
            assertEquals("submission.received", receivedEvent.routingKey());
            assertEquals("submission", receivedEvent.header("aggregate_type"));
            assertEquals(Map.of("submissionId", submissionId, "pulseId", pulseId, "studentId", studentId.toString()),
                    payloadOf(receivedEvent));

            HttpResponse<String> closed = http.post("api/pulses/" + pulseId + "/close", null);
            assertEquals(200, closed.statusCode(), closed.body());
            assertEquals("closed", JSON.readTree(closed.body()).get("status").asText());
            Delivery closedEvent = probe.next(ofAggregate(pulseId), ofSeconds(15));
            assertEquals("learning_pulse.closed", closedEvent.routingKey());
            assertEquals(Map.of("pulseId", pulseId, "version", createdVersion + 2), payloadOf(closedEvent));

            assertEquals(List.of(1L, 2L, 3L), List.of(createdEvent.header("aggregate_seq"),
                    retitledEvent.header("aggregate_seq"), closedEvent.header("aggregate_seq")));

            assertProblem(http.post("api/pulses/" + pulseId + "/close", null), 409, null);
            assertProblem(http.post("api/pulses/" + pulseId + "/submissions",
                    "{\"studentId\":\"" + studentId + "\",\"answer\":\"late\"}"), 409, null);
            assertProblem(http.patch("api/pulses/" + pulseId, "{\"title\":\"too late\"}"), 409, null);
        }
    }

    @Test
    void unknownPulseIs404() {
        Http http = new Http(base);
        String unknown = UUID.randomUUID().toString();
        assertProblem(http.get("api/pulses/" + unknown), 404, "id");
        assertProblem(http.patch("api/pulses/" + unknown, "{\"title\":\"x\"}"), 404, "id");
        assertProblem(http.post("api/pulses/" + unknown + "/close", null), 404, "id");
        assertProblem(http.post("api/pulses/" + unknown + "/submissions",
                "{\"studentId\":\"" + UUID.randomUUID() + "\",\"answer\":\"a\"}"), 404, "id");
    }

    static Map<String, Object> payloadOf(Delivery delivery) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = JSON.convertValue(JSON.readTree(delivery.body()).get("payload"), Map.class);
        payload.replaceAll((key, value) -> value instanceof Integer number ? number.longValue() : value);
        return payload;
    }

    static JsonNode assertProblem(HttpResponse<String> response, int status, String field) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), response.body());
        try {
            JsonNode problem = JSON.readTree(response.body());
            assertEquals(status, problem.get("status").asInt());
            assertTrue(problem.hasNonNull("title") && problem.hasNonNull("detail"), response.body());
            if (field != null) {
                assertEquals(field, problem.path("field").asText(null), response.body());
            }
            return problem;
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}
