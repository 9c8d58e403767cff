package live.edupulse.outbox.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Http;
import org.awaitility.Awaitility;

/**
 * Pulses with submissions made through the learning API, and what the statistics projection must
 * show for them: per pulse 1..3 submissions by two students, every third pulse closed.
 */
final class StatisticsWorkload {

    static final String CONSUMER = "pulse-statistics";
    static final String QUEUE = "edupulse." + CONSUMER;
    static final List<String> EVENT_TYPES = List.of("learning_pulse.*", "submission.received");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** pulse id -> {submissions, distinct students, closed (1) or open (0)} */
    private final Map<String, int[]> truth = new ConcurrentHashMap<>();
    /** The database's clock before the first event: every event of the workload occurred at or after it. */
    final Instant started;

    private StatisticsWorkload(Instant started) {
        this.started = started;
    }

    static StatisticsWorkload start() throws Exception {
        try (Connection connection = Database.connect();
             var statement = connection.createStatement();
             var row = statement.executeQuery("SELECT clock_timestamp()")) {
            row.next();
            return new StatisticsWorkload(row.getTimestamp(1).toInstant());
        }
    }

    /** Makes {@code pulses} pulses through {@code http}, eight clients at once. */
    StatisticsWorkload run(Http http, int pulses) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> made = new ArrayList<>();
            for (int p = 0; p < pulses; p++) {
                int index = truth.size() + p;
                made.add(clients.submit(() -> {
                    pulse(http, index);
                    return null;
                }));
            }
            for (Future<?> pulse : made) {
                pulse.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        return this;
    }

    int pulses() {
        return truth.size();
    }

    /** Events the workload recorded: one creation per pulse, one per submission, one per close. */
    int events() {
        return truth.values().stream().mapToInt(t -> 1 + t[0] + t[2]).sum();
    }

    private void pulse(Http http, int index) throws Exception {
        HttpResponse<String> created = http.post("api/pulses",
                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Replay " + index + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        String pulse = JSON.readTree(created.body()).get("id").asText();
        UUID[] students = {UUID.randomUUID(), UUID.randomUUID()};
        int submissions = 1 + index % 3;
        for (int s = 0; s < submissions; s++) {
            HttpResponse<String> submitted = http.post("api/pulses/" + pulse + "/submissions",
                    "{\"studentId\":\"" + students[s % 2] + "\",\"answer\":\"a" + s + "\"}");
            assertEquals(201, submitted.statusCode(), submitted.body());
        }
        boolean close = index % 3 == 0;
        if (close) {
            HttpResponse<String> closed = http.post("api/pulses/" + pulse + "/close", null);
            assertEquals(200, closed.statusCode(), closed.body());
        }
        truth.put(pulse, new int[] {submissions, Math.min(submissions, 2), close ? 1 : 0});
    }

    /** {lost, duplicated} effects against the truth (a pulse without statistics lost all of its). */
    int[] compare(Http http) throws Exception {
        int lost = 0;
        int duplicated = 0;
        for (Map.Entry<String, int[]> pulse : truth.entrySet()) {
            int[] expected = pulse.getValue();
            HttpResponse<String> response = http.get("api/pulses/" + pulse.getKey() + "/stats");
            if (response.statusCode() == 404) {
                lost += 1 + expected[0] + expected[2];
                continue;
            }
            assertEquals(200, response.statusCode(), response.body());
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

    /** Waits until the statistics equal the truth; returns the last comparison. */
    int[] awaitExact(Http http, Duration within) {
        return Awaitility.await("statistics equal the truth").atMost(within).pollInterval(Duration.ofMillis(500))
                .until(() -> compare(http), counts -> counts[0] == 0 && counts[1] == 0);
    }

    /**
     * Forgets everything the projection knows of the workload: its statistics rows, and the inbox's
     * record of the workload's events and aggregates (as for a projection restored from an old
     * backup, or a new one).
     */
    void emptyProjection() throws Exception {
        Timestamp since = Timestamp.from(started);
        try (Connection connection = Database.connect()) {
            for (String sql : List.of(
                    "DELETE FROM learning_pulse_stats WHERE pulse_id IN (SELECT CAST(aggregate_id AS uuid) FROM outbox_event"
                            + " WHERE aggregate_type = 'learning_pulse' AND occurred_at >= ?)",
                    "DELETE FROM learning_pulse_student WHERE pulse_id IN (SELECT CAST(aggregate_id AS uuid) FROM outbox_event"
                            + " WHERE aggregate_type = 'learning_pulse' AND occurred_at >= ?)",
                    "DELETE FROM inbox_message WHERE consumer = '" + CONSUMER + "'"
                            + " AND message_id IN (SELECT id FROM outbox_event WHERE occurred_at >= ?)",
                    "DELETE FROM inbox_aggregate WHERE consumer = '" + CONSUMER + "' AND (aggregate_type, aggregate_id) IN"
                            + " (SELECT aggregate_type, aggregate_id FROM outbox_event WHERE occurred_at >= ?)")) {
                try (PreparedStatement delete = connection.prepareStatement(sql)) {
                    delete.setTimestamp(1, since);
                    delete.executeUpdate();
                }
            }
        }
    }

    /** The replay request for the projection's queue and event types, from the workload's start. */
    String replayRequest(String queue, int rate) {
        return "{\"queue\":\"" + queue + "\",\"eventTypes\":[\"learning_pulse.*\",\"submission.received\"],"
                + "\"from\":\"" + started + "\",\"rate\":" + rate + "}";
    }
}
