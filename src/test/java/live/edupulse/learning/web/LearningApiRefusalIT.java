package live.edupulse.learning.web;

import static live.edupulse.learning.web.LearningApiIT.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.util.List;
import java.util.UUID;
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

/** Whatever a client sends, the answer is a 4xx problem naming the field, and nothing is written. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LearningApiRefusalIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    private record Refusal(String method, String path, String contentType, String body, int status, String field) {
    }

    @Test
    void badInputGetsAProblemNamingTheFieldAndChangesNothing() throws Exception {
        Http http = new Http(base);
        String author = "\"authorId\":\"" + UUID.randomUUID() + "\"";
        String student = "\"studentId\":\"" + UUID.randomUUID() + "\"";
        String pulse = LearningApiIT.JSON.readTree(http.post("api/pulses", "{" + author + ",\"title\":\"Open\"}").body())
                .get("id").asText();
        String pulses = "api/pulses";
        String one = "api/pulses/" + pulse;
        String submissions = one + "/submissions";
        String json = "application/json";

        List<Refusal> refusals = List.of(
                new Refusal("POST", pulses, json, "{\"authorId\":", 400, null),
                new Refusal("POST", pulses, json, "", 400, null),
                new Refusal("POST", pulses, json, "null", 400, null),
                new Refusal("POST", pulses, json, "[]", 400, null),
                new Refusal("POST", pulses, json, "\"a string\"", 400, null),
                new Refusal("POST", pulses, json, "[".repeat(5000), 400, null),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"x\"} trailing", 400, null),
                new Refusal("POST", pulses, json, "{" + author + "," + author + ",\"title\":\"x\"}", 400, null),
                new Refusal("POST", pulses, json, "{\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":null,\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":42,\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":1e999,\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":\"not-a-uuid\",\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":\"1-1-1-1-1\",\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{\"authorId\":{},\"title\":\"x\"}", 400, "authorId"),
                new Refusal("POST", pulses, json, "{" + author + "}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":123}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":[\"x\"]}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"   \"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"" + "x".repeat(201) + "\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"" + "\uD83D\uDE00".repeat(201) + "\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"nul\\u0000\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"two\\nlines\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"half \\ud800 pair\"}", 400, "title"),
                new Refusal("POST", pulses, json, "{" + author + ",\"title\":\"x\",\"extra\":1}", 400, "extra"),
                new Refusal("POST", pulses, "text/plain", "{" + author + ",\"title\":\"x\"}", 415, null),
                new Refusal("POST", pulses, "application/xml", "<pulse/>", 415, null),
                new Refusal("GET", "api/pulses/not-a-uuid", null, null, 400, "id"),
                new Refusal("GET", "api/pulses/" + pulse.substring(0, 35), null, null, 400, "id"),
                new Refusal("DELETE", one, null, null, 405, null),
                new Refusal("GET", "api/no-such-thing", null, null, 404, null),
                new Refusal("PATCH", "api/pulses/abc", json, "{\"title\":\"x\"}", 400, "id"),
                new Refusal("PATCH", one, json, "{}", 400, "title"),
                new Refusal("PATCH", one, json, "{\"title\":5}", 400, "title"),
                new Refusal("PATCH", one, json, "{\"title\":\"x\"," + author + "}", 400, "authorId"),
                new Refusal("PATCH", one, json, "not json", 400, null),
                new Refusal("POST", "api/pulses/abc/close", null, null, 400, "id"),
                new Refusal("POST", "api/pulses/abc/submissions", json, "{" + student + ",\"answer\":\"a\"}", 400, "id"),
                new Refusal("POST", submissions, json, "{\"answer\":\"a\"}", 400, "studentId"),
                new Refusal("POST", submissions, json, "{\"studentId\":\"x\",\"answer\":\"a\"}", 400, "studentId"),
                new Refusal("POST", submissions, json, "{" + student + "}", 400, "answer"),
                new Refusal("POST", submissions, json, "{" + student + ",\"answer\":\"\"}", 400, "answer"),
                new Refusal("POST", submissions, json, "{" + student + ",\"answer\":true}", 400, "answer"),
                new Refusal("POST", submissions, json, "{" + student + ",\"answer\":\"" + "y".repeat(10_001) + "\"}", 400, "answer"),
                new Refusal("POST", submissions, json, "{" + student + ",\"answer\":\"bell\\u0007\"}", 400, "answer"),
                new Refusal("POST", submissions, json, "{" + student + ",\"answer\":\"a\",\"grade\":\"A\"}", 400, "grade"));

        List<Long> before = counts(pulse);
        for (Refusal refusal : refusals) {
            assertProblem(http.send(refusal.method(), refusal.path(), refusal.body(), refusal.contentType()),
                    refusal.status(), refusal.field());
        }
        assertEquals(before, counts(pulse), "pulses, submissions, outbox events and the pulse's version are unchanged");
    }

    @Test
    void lengthLimitsCountCharactersNotUtf16Units() {
        Http http = new Http(base);
        String emoji200 = "\uD83D\uDE00".repeat(200);
        assertEquals(201, http.post("api/pulses", "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"" + emoji200 + "\"}")
                .statusCode());
    }

    private static List<Long> counts(String pulseId) throws Exception {
        return List.of(
                Database.single("SELECT count(*) FROM learning_pulse"),
                Database.single("SELECT count(*) FROM learning_submission"),
                Database.single("SELECT count(*) FROM outbox_event"),
                Database.single("SELECT version FROM learning_pulse WHERE id = ?::uuid", pulseId));
    }
}
