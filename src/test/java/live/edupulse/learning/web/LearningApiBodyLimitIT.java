package live.edupulse.learning.web;

import static live.edupulse.learning.web.LearningApiIT.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.testing.ServerLogs;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.ServerLogs;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.ServerLogs;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerLogs;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies over learning.api.max-body-bytes (64 KiB by default) are refused with a 413 problem
 * before they are parsed: six 10 MB bodies at once neither exhaust the server's memory nor stop it
 * serving the next request.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LearningApiBodyLimitIT {

    /** A JSON array of 3.3 million empty objects: about 10 MB. */
    private static final byte[] TEN_MEGABYTES = tenMegabytesOfEmptyObjects();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    @Test
    void sixConcurrentTenMegabyteBodiesGet413AndTheServerKeepsServing() throws Exception {
        Path log = ServerUnderTest.current().log();
        long logSizeBefore = Files.size(log);
        long pulsesBefore = Database.single("SELECT count(*) FROM learning_pulse");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/pulses")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(TEN_MEGABYTES)).build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            assertProblem(answer.get(90, TimeUnit.SECONDS), 413, null);
        }

        String author = UUID.randomUUID().toString();
        HttpResponse<String> created = new Http(base).post("api/pulses",
                "{\"authorId\":\"" + author + "\",\"title\":\"After the flood\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(pulsesBefore + 1, Database.single("SELECT count(*) FROM learning_pulse"));
        assertFalse(ServerLogs.since(log, logSizeBefore).contains("OutOfMemoryError"), "the server log shows an OutOfMemoryError");
    }

    @Test
    void aBodyWithoutADeclaredLengthIsCountedAndRefusedPastTheLimit() throws Exception {
        // no Content-Length: the body arrives chunked and is counted while it is read
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/pulses")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(TEN_MEGABYTES))).build();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertProblem(refused, 413, null);
    }

    @Test
    void aBodyJustUnderTheLimitIsReadAndCheckedAsUsual() {
        // 65,000 bytes: under the limit, so the title's own rule answers (400 naming it), not the size limit
        String body = "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"" + "x".repeat(64_900) + "\"}";
        assertProblem(new Http(base).post("api/pulses", body), 400, "title");
        String tooLong = "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"" + "x".repeat(65_600) + "\"}";
        assertProblem(new Http(base).post("api/pulses", tooLong), 413, null);
    }

    private static byte[] tenMegabytesOfEmptyObjects() {
        int objects = 3_333_333;
        StringBuilder json = new StringBuilder(objects * 3 + 2).append('[');
        for (int i = 0; i < objects; i++) {
            json.append(i == 0 ? "{}" : ",{}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
