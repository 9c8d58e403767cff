package live.edupulse.inbox;

import static java.time.Duration.ofSeconds;
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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.Rabbitmqctl;
import live.edupulse.outbox.testing.RecordingInboxConsumer;
import live.edupulse.outbox.testing.ServerMetrics;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inbox end to end, on the real broker and database: the statistics projection counts every
 * event once even when every message arrives twice; events published out of order are applied in
 * order; a failing aggregate is parked while others flow, and an operator's retry applies it; a
 * message that is not an event is rejected once, not requeued, and holds nothing back. The inbox's
 * metrics count what each test did.
 * Each test prints its lost and duplicated effects.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "outbox-admin:admin-test-password";
    private static final String TEST_AGGREGATE = "inbox_test";

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        try (Connection connection = Database.connect(); Statement statement = connection.createStatement()) {
            statement.execute(RecordingInboxConsumer.TABLES);
        }
        return Deployments.outbox(Map.of(
                "inbox.max-attempts", "2",
                "inbox.backoff-initial", "100ms",
                "inbox.backoff-max", "200ms"));
    }

    @ArquillianResource
    URL base;

    @Test
    void statisticsCountEveryEventOnceWhenEveryMessageArrivesTwice() throws Exception {
        Http http = new Http(base);
        Map<String, int[]> truth = new HashMap<>();  // pulse -> {submissions, distinct students, closed}
        List<BrokerProbe.Delivery> published;
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.created", "learning_pulse.closed", "submission.received")) {
            for (int p = 0; p < 6; p++) {
                String pulse = createPulse(http);
                UUID[] students = {UUID.randomUUID(), UUID.randomUUID()};
                for (int s = 0; s < 3; s++) {
                    HttpResponse<String> submitted = http.post("api/pulses/" + pulse + "/submissions",
                            "{\"studentId\":\"" + students[s % 2] + "\",\"answer\":\"a" + s + "\"}");
                    assertEquals(201, submitted.statusCode(), submitted.body());
                }
                boolean close = p % 2 == 0;
                if (close) {
                    assertEquals(200, http.post("api/pulses/" + pulse + "/close", null).statusCode());
                }
                truth.put(pulse, new int[] {3, 2, close ? 1 : 0});
            }
            int messages = 6 + 6 * 3 + 3;
            published = probe.collect(d -> true, messages, ofSeconds(30));
            assertEquals(messages, published.size());
        }
        awaitStatistics(http, truth);

        try (ContractPublisher publisher = new ContractPublisher()) {
            for (BrokerProbe.Delivery delivery : published) {
                publisher.republish(delivery);
            }
        }
        // a pulse created after the copies: once its statistics show, the copies before it were taken
        String sentinel = createPulse(http);
        await().atMost(ofSeconds(30)).until(() -> http.get("api/pulses/" + sentinel + "/stats").statusCode() == 200);
        int[] counts = compare(http, truth);
        System.out.println(String.format("inbox, every message twice (%d messages): lost=%d duplicated=%d",
                published.size(), counts[0], counts[1]));
        assertEquals(0, counts[0], "lost effects");
        assertEquals(0, counts[1], "duplicated effects");
    }

    @Test
    void eventsPublishedOutOfOrderAreAppliedInOrder() throws Exception {
        String aggregate = UUID.randomUUID().toString();
        String type = RecordingInboxConsumer.ROUTING_KEY_PREFIX + "ordered";
        List<UUID> ids = new ArrayList<>();
        try (ContractPublisher publisher = new ContractPublisher()) {
            for (long seq : new long[] {3, 2, 1}) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                publisher.publish(id, TEST_AGGREGATE, aggregate, seq, type, "{}");
            }
        }
        List<Long> applied = await().atMost(ofSeconds(20)).until(() -> effects(aggregate), e -> e.size() >= 3);
        System.out.println(String.format("inbox, seq 3, 2, 1 published: applied %s (lost=%d duplicated=%d)",
                applied, 3 - new java.util.HashSet<>(applied).size(), applied.size() - new java.util.HashSet<>(applied).size()));
        assertEquals(List.of(1L, 2L, 3L), applied);
        // once applied (seq 3 after being held, or all three in one batch), each id is recorded once, in
        // its own row without the payload or in its batch's row, and nothing stays open
        await().atMost(ofSeconds(20)).until(() -> Database.single("SELECT count(*) FROM inbox_message"
                + " WHERE aggregate_id = ? AND status <> 'applied'", aggregate) == 0);
        assertEquals(0, Database.single("SELECT count(*) FROM inbox_message WHERE aggregate_id = ? AND payload IS NOT NULL",
                aggregate), "applied messages that kept their payload");
        assertEquals(3, Database.single("""
                SELECT (SELECT count(*) FROM inbox_message WHERE aggregate_id = ?)
                     + (SELECT count(*) FROM inbox_applied b, unnest(b.message_ids) AS i(id)
                         WHERE i.id = ANY (CAST(? AS uuid[])))""", aggregate, Database.uuidArray(ids)), "applied ids recorded");
    }

    @Test
    void aFailingAggregateIsParkedWhileOthersFlowAndARetryAppliesIt() throws Exception {
        String poisoned = UUID.randomUUID().toString();
        String healthy = UUID.randomUUID().toString();
        String type = RecordingInboxConsumer.ROUTING_KEY_PREFIX + "failing";
        Database.single("INSERT INTO inbox_test_poison (aggregate_id) VALUES (?) RETURNING 1", poisoned);
        Http http = new Http(base);
        double parkedBefore = recorderMetric(http, "inbox_events_parked_total");
        double failedBefore = recorderMetric(http, "inbox_attempts_failed_total");
        UUID head;
        try (ContractPublisher publisher = new ContractPublisher()) {
            head = publisher.publish(UUID.randomUUID(), TEST_AGGREGATE, poisoned, 1, type, "{}");
            publisher.publish(UUID.randomUUID(), TEST_AGGREGATE, poisoned, 2, type, "{}");
            for (long seq = 1; seq <= 3; seq++) {
                publisher.publish(UUID.randomUUID(), TEST_AGGREGATE, healthy, seq, type, "{}");
            }
        }
        assertEquals(List.of(1L, 2L, 3L), await().atMost(ofSeconds(20)).until(() -> effects(healthy), e -> e.size() >= 3));
        String ofAggregate = "&aggregateType=" + TEST_AGGREGATE + "&aggregateId=" + poisoned;
        String parkedList = base + "api/inbox/" + RecordingInboxConsumer.NAME + "/events?status=parked" + ofAggregate;
        JsonNode parked = await().atMost(ofSeconds(20)).until(() -> JSON.readTree(admin("GET", parkedList).body()),
                list -> contains(list, head.toString()));
        JsonNode held = JSON.readTree(admin("GET", base + "api/inbox/" + RecordingInboxConsumer.NAME + "/events?status=held"
                + ofAggregate).body());
        assertTrue(containsSeq(held, poisoned, 2), "seq 2 is held behind the parked head: " + held);
        assertTrue(effects(poisoned).isEmpty(), "nothing of the parked aggregate applied");
        assertTrue(parked.toString().contains("poisoned aggregate"), parked.toString());
        // counted once the failure's transaction has committed, a moment after the row shows
        await().atMost(ofSeconds(10)).until(() -> recorderMetric(http, "inbox_events_parked_total") - parkedBefore >= 1);
        assertEquals(1, recorderMetric(http, "inbox_events_parked_total") - parkedBefore, "parked events counted");
        assertEquals(2, recorderMetric(http, "inbox_attempts_failed_total") - failedBefore,
                "failed attempts counted (inbox.max-attempts=2)");
        double parkedNow = await().atMost(ofSeconds(20)).until(() -> recorderMetric(http, "inbox_events_parked_current"),
                count -> count >= 1);

        Database.single("DELETE FROM inbox_test_poison WHERE aggregate_id = ? RETURNING 1", poisoned);
        HttpResponse<String> retried = admin("POST", base + "api/inbox/" + RecordingInboxConsumer.NAME + "/events/" + head + "/retry");
        assertEquals(200, retried.statusCode(), retried.body());
        List<Long> applied = await().atMost(ofSeconds(20)).until(() -> effects(poisoned), e -> e.size() >= 2);
        System.out.println(String.format("inbox, parked then retried: applied %s (lost=%d duplicated=%d)",
                applied, 2 - applied.size(), 0));
        assertEquals(List.of(1L, 2L), applied);
        await().atMost(ofSeconds(20)).until(() -> recorderMetric(http, "inbox_events_parked_current"),
                count -> count == parkedNow - 1);
    }

    @Test
    void aMessageThatIsNotAnEventIsRejectedOnceWithoutHoldingBackTheEventsAfterIt() throws Exception {
        Http http = new Http(base);
        String refused = "inbox_messages_refused_total";
        double refusedBefore = recorderMetric(http, refused);
        double appliedBefore = recorderMetric(http, "inbox_events_applied_total");
        String aggregate = UUID.randomUUID().toString();
        String type = RecordingInboxConsumer.ROUTING_KEY_PREFIX + "refused";
        try (ContractPublisher publisher = new ContractPublisher()) {
            publisher.publishBody(type, "{\"eventId\":\"not a uuid\",\"aggregateSeq\":1}");
            publisher.publishBody(type, "not JSON at all");
            for (long seq = 1; seq <= 3; seq++) {
                publisher.publish(UUID.randomUUID(), TEST_AGGREGATE, aggregate, seq, type, "{}");
            }
        }
        List<Long> applied = await().atMost(ofSeconds(20)).until(() -> effects(aggregate), e -> e.size() >= 3);
        await().atMost(ofSeconds(20)).until(() -> recorderMetric(http, refused) >= refusedBefore + 2);
        // an event published after them: once it is applied, a refused message requeued would have come again
        try (ContractPublisher publisher = new ContractPublisher()) {
            publisher.publish(UUID.randomUUID(), TEST_AGGREGATE, aggregate, 4, type, "{}");
        }
        applied = await().atMost(ofSeconds(20)).until(() -> effects(aggregate), e -> e.size() >= 4);
        double refusals = recorderMetric(http, refused) - refusedBefore;
        System.out.println(String.format("inbox, two messages that are not events among four that are: applied %s,"
                + " refused %.0f times (lost=%d duplicated=%d)", applied, refusals, 4 - new java.util.HashSet<>(applied).size(),
                applied.size() - new java.util.HashSet<>(applied).size()));
        assertEquals(List.of(1L, 2L, 3L, 4L), applied);
        assertEquals(2, refusals, "each refused message rejected once, not requeued");
        assertTrue(recorderMetric(http, "inbox_events_applied_total") >= appliedBefore + 4, "applied events counted");
        // and the events after them are acknowledged: a refusal that the acknowledgement window did not
        // count as settled would hold back every later acknowledgement (the broker's figures are
        // refreshed every few seconds)
        String queue = "edupulse." + RecordingInboxConsumer.NAME;
        await().atMost(ofSeconds(30)).until(() -> messagesOnQueue(queue), count -> count == 0);
    }

    /** Ready and unacknowledged messages of {@code queue}, from {@code rabbitmqctl list_queues}. */
    private static long messagesOnQueue(String queue) throws Exception {
        String listed = Rabbitmqctl.run("list_queues", "name", "messages_ready", "messages_unacknowledged",
                "--quiet", "--no-table-headers");
        for (String line : listed.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length == 3 && columns[0].equals(queue)) {
                return Long.parseLong(columns[1]) + Long.parseLong(columns[2]);
            }
        }
        throw new AssertionError("queue " + queue + " not listed: " + listed);
    }

    /** A metric of the test consumer ({@code consumer="test-recorder"}) from {@code /edupulse/metrics}. */
    private static double recorderMetric(Http http, String name) {
        return ServerMetrics.sample(http, name, "consumer=\"" + RecordingInboxConsumer.NAME + "\"")
                .orElseThrow(() -> new AssertionError(name + " of " + RecordingInboxConsumer.NAME + " not among the metrics"));
    }

    private static boolean contains(JsonNode list, String messageId) {
        for (JsonNode event : list.path("events")) {
            if (messageId.equals(event.path("messageId").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsSeq(JsonNode list, String aggregateId, long seq) {
        for (JsonNode event : list.path("events")) {
            if (aggregateId.equals(event.path("aggregateId").asText()) && event.path("aggregateSeq").asLong() == seq) {
                return true;
            }
        }
        return false;
    }

    private static List<Long> effects(String aggregateId) throws Exception {
        return Database.longs("SELECT aggregate_seq FROM inbox_test_effect WHERE aggregate_id = ? ORDER BY applied_order",
                aggregateId);
    }

    private static String createPulse(Http http) throws Exception {
        HttpResponse<String> created = http.post("api/pulses",
                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Inbox\"}");
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("id").asText();
    }

    private static void awaitStatistics(Http http, Map<String, int[]> truth) {
        await().atMost(ofSeconds(30)).until(() -> {
            int[] counts = compare(http, truth);
            return counts[0] == 0 && counts[1] == 0;
        });
    }

    /** {lost, duplicated} effects: submissions and students below or above the truth, statuses not yet closed. */
    private static int[] compare(Http http, Map<String, int[]> truth) throws Exception {
        int lost = 0;
        int duplicated = 0;
        for (Map.Entry<String, int[]> pulse : truth.entrySet()) {
            HttpResponse<String> response = http.get("api/pulses/" + pulse.getKey() + "/stats");
            int[] expected = pulse.getValue();
            if (response.statusCode() == 404) {
                lost += expected[0] + 1;
                continue;
            }
            JsonNode stats = JSON.readTree(response.body());
            long submissions = stats.get("submissions").asLong();
            long students = stats.get("distinctStudents").asLong();
            lost += Math.max(0, expected[0] - submissions) + Math.max(0, expected[1] - students);
            duplicated += Math.max(0, submissions - expected[0]) + Math.max(0, students - expected[1]);
            if (expected[2] == 1 && !"closed".equals(stats.get("status").asText())) {
                lost++;
            }
        }
        return new int[] {lost, duplicated};
    }

    private static HttpResponse<String> admin(String method, String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(ADMIN.getBytes(StandardCharsets.UTF_8)));
        if (method.equals("POST")) {
            request.method("POST", HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
