package live.edupulse.outbox.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.awaitility.Awaitility;

/** The replay admin API as an operator's script uses it (basic authentication, JSON). */
final class ReplayAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREDENTIALS = "outbox-admin:admin-test-password";

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ReplayAdmin(URL deploymentBase) {
        this.base = deploymentBase.toString() + "api/outbox/replays";
    }

    HttpResponse<String> start(String json) {
        return send("POST", "", json);
    }

    /** Starts a job that must be accepted; returns its id. */
    String started(String json) throws Exception {
        HttpResponse<String> response = start(json);
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("id").asText();
    }

    JsonNode job(String id) throws Exception {
        HttpResponse<String> response = send("GET", "/" + id, null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    JsonNode list() throws Exception {
        HttpResponse<String> response = send("GET", "", null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    HttpResponse<String> cancel(String id) {
        return send("POST", "/" + id + "/cancel", "{}");
    }

    /** Waits until the job has left {@code running}; returns it. */
    JsonNode awaitEnded(String id, Duration within) {
        return Awaitility.await("replay " + id + " ends").atMost(within).pollInterval(Duration.ofMillis(200))
                .until(() -> job(id), job -> !"running".equals(job.get("status").asText()));
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(CREDENTIALS.getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(method + " " + base + path + " failed", e);
        }
    }
}
