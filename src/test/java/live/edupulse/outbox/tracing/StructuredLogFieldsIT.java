package live.edupulse.outbox.tracing;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.ServerUnderTest;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dispatcher's log line about an event carries the event id, its aggregate and the batch size
 * as structured fields: in WildFly's JSON log of the outbox ({@code outbox.json.log}, set up by
 * server-config) they are MDC entries, so a search by event id finds the line. WildFly only: on
 * Open Liberty the same fields are {@code LogRecordContext} extensions, shown only when its
 * messages.log is switched to JSON, which the other tests read as text.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StructuredLogFieldsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Deployment(testable = false)
    static WebArchive deployment() {
        // a message nobody receives is this event's failure, and the first failure parks it
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "1"));
    }

    @Test
    void theParkedLineOfAnEventCarriesItsIdAggregateAndBatchSize() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        UUID eventId = Database.insertPendingEvent("test_aggregate", aggregateId, TestEvent.uniqueType("log_fields"));
        Path jsonLog = ServerUnderTest.current().log().resolveSibling("outbox.json.log");

        JsonNode line = await().atMost(ofSeconds(20)).until(() -> linesAbout(jsonLog, eventId.toString()), l -> !l.isEmpty()).get(0);
        System.out.println("JSON log line of the parked event: " + line);
        JsonNode mdc = line.path("mdc");
        assertEquals(eventId.toString(), mdc.path(LogFields.EVENT_ID).asText(), line.toString());
        assertEquals("test_aggregate/" + aggregateId, mdc.path(LogFields.AGGREGATE).asText(), line.toString());
        assertTrue(Integer.parseInt(mdc.path(LogFields.BATCH_SIZE).asText("0")) >= 1, line.toString());
        assertEquals("WARNING", line.path("level").asText(), line.toString());
        assertTrue(line.path("message").asText().contains("parked"), line.toString());
    }

    /** The JSON lines whose MDC names the event. */
    private static List<JsonNode> linesAbout(Path jsonLog, String eventId) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        if (!Files.exists(jsonLog)) {
            return found;
        }
        for (String text : Files.readAllLines(jsonLog, StandardCharsets.UTF_8)) {
            if (text.contains(eventId)) {
                JsonNode line = JSON.readTree(text);
                if (eventId.equals(line.path("mdc").path(LogFields.EVENT_ID).asText())) {
                    found.add(line);
                }
            }
        }
        return found;
    }
}
