package live.edupulse.outbox.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URL;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.TestServices;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replay through the admin API, on the real broker and database: the statistics projection,
 * emptied, is rebuilt exactly from the outbox's retained history, and a second replay changes
 * nothing; what the API refuses (a range before the retained history, a second job for a queue, a
 * queue that does not exist, bad input); a replay while live events flow stays exact, with the
 * live commit-to-dispatch p99 printed beside the one without a replay.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReplayIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of());
    }

    @ArquillianResource
    URL base;

    @Test
    void anEmptiedProjectionIsRebuiltExactlyAndASecondReplayChangesNothing() throws Exception {
        Http http = new Http(base);
        ReplayAdmin admin = new ReplayAdmin(base);
        StatisticsWorkload workload = StatisticsWorkload.start().run(http, 200);
        workload.awaitExact(http, Duration.ofMinutes(2));
        workload.emptyProjection();
        int[] forgotten = workload.compare(http);
        assertTrue(forgotten[0] > 0, "the emptied projection has forgotten the workload");

        JsonNode first = admin.awaitEnded(admin.started(workload.replayRequest(StatisticsWorkload.QUEUE, 20_000)),
                Duration.ofMinutes(2));
        assertEquals("done", first.get("status").asText(), first.toString());
        assertEquals(first.get("total").asLong(), first.get("done").asLong(), first.toString());
        assertTrue(first.get("total").asLong() >= workload.events(), first.toString());
        int[] rebuilt = workload.awaitExact(http, Duration.ofMinutes(2));
        System.out.println(String.format("REPLAY rebuilt projection: %d pulses, %d events replayed: lost=%d duplicated=%d",
                workload.pulses(), first.get("done").asLong(), rebuilt[0], rebuilt[1]));

        JsonNode second = admin.awaitEnded(admin.started(workload.replayRequest(StatisticsWorkload.QUEUE, 20_000)),
                Duration.ofMinutes(2));
        assertEquals("done", second.get("status").asText(), second.toString());
        awaitConsumed(http);
        int[] again = workload.compare(http);
        System.out.println(String.format("REPLAY replayed twice: %d events again: lost=%d duplicated=%d",
                second.get("done").asLong(), again[0], again[1]));
        assertEquals(0, again[0], "lost effects");
        assertEquals(0, again[1], "duplicated effects");
    }

    @Test
    void whatTheReplayCannotServeIsRefusedAndARunningJobCanBeCancelled() throws Exception {
        Http http = new Http(base);
        ReplayAdmin admin = new ReplayAdmin(base);
        StatisticsWorkload workload = StatisticsWorkload.start().run(http, 5);
        workload.awaitExact(http, Duration.ofMinutes(1));

        // as after retention deleted events dispatched until 2020-01-01 (RetentionIT shows it records this)
        String horizonBefore = Database.text("SELECT CAST(retention_horizon AS text) FROM outbox_control WHERE id = 1");
        Database.execute("UPDATE outbox_control SET retention_horizon = greatest(retention_horizon, '2020-01-01T00:00:00Z')");
        try {
            HttpResponse<String> tooOld = admin.start("{\"queue\":\"" + StatisticsWorkload.QUEUE
                    + "\",\"eventTypes\":[\"learning_pulse.*\"],\"from\":\"2019-06-01T00:00:00Z\"}");
            assertEquals(409, tooOld.statusCode(), tooOld.body());
            JsonNode problem = JSON.readTree(tooOld.body());
            assertEquals("from", problem.get("field").asText());
            assertTrue(problem.get("detail").asText().contains("starts after "), problem.toString());
            System.out.println("REPLAY before the retained history refused: " + problem.get("detail").asText());
        } finally {
            Database.execute("UPDATE outbox_control SET retention_horizon = CAST(? AS timestamptz)", horizonBefore);
        }
        HttpResponse<String> unknown = admin.cancel(java.util.UUID.randomUUID().toString());
        assertEquals(404, unknown.statusCode(), unknown.body());

        HttpResponse<String> noQueue = admin.start("{\"queue\":\"edupulse.no-such-consumer\",\"eventTypes\":[\"#\"]}");
        assertEquals(409, noQueue.statusCode(), noQueue.body());
        assertEquals("queue", JSON.readTree(noQueue.body()).get("field").asText());
        HttpResponse<String> badPattern = admin.start("{\"queue\":\"" + StatisticsWorkload.QUEUE + "\",\"eventTypes\":[\"a.(b)\"]}");
        assertEquals(400, badPattern.statusCode(), badPattern.body());
        assertEquals("eventTypes", JSON.readTree(badPattern.body()).get("field").asText());
        HttpResponse<String> noTypes = admin.start("{\"queue\":\"" + StatisticsWorkload.QUEUE + "\"}");
        assertEquals(400, noTypes.statusCode(), noTypes.body());
        HttpResponse<String> notJson = admin.start("queue=x");
        assertEquals(400, notJson.statusCode(), notJson.body());

        // one event a second: still running while the test asks for a second job
        String slow = admin.started(workload.replayRequest(StatisticsWorkload.QUEUE, 1));
        try {
            refuseSecondJobAndCancel(admin, workload, slow);
        } finally {
            admin.cancel(slow); // whatever happened: no job left running for the next test
        }
        workload.awaitExact(http, Duration.ofMinutes(1));
    }

    private static void refuseSecondJobAndCancel(ReplayAdmin admin, StatisticsWorkload workload, String slow)
            throws Exception {
        HttpResponse<String> second = admin.start(workload.replayRequest(StatisticsWorkload.QUEUE, 1000));
        assertEquals(409, second.statusCode(), second.body());
        assertEquals("queue", JSON.readTree(second.body()).get("field").asText());
        Awaitility.await("the slow job publishes").atMost(Duration.ofSeconds(30))
                .until(() -> admin.job(slow).get("done").asLong() > 0);
        HttpResponse<String> cancelled = admin.cancel(slow);
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("cancelled", JSON.readTree(cancelled.body()).get("status").asText());
        assertEquals(409, admin.cancel(slow).statusCode(), "a job that is not running cannot be cancelled");
        long doneAtCancel = admin.job(slow).get("done").asLong();
        assertTrue(doneAtCancel < workload.events(), "cancelled before it had published everything: " + doneAtCancel);
        boolean listed = false;
        for (JsonNode job : admin.list().get("replays")) {
            listed |= slow.equals(job.get("id").asText());
        }
        assertTrue(listed, "the job is listed");
        System.out.println(String.format("REPLAY refusals: before the retained history, no queue, bad input, second job:"
                + " all refused; cancelled after %d of %d events", doneAtCancel, workload.events()));
    }

    @Test
    void aReplayWhileLiveEventsFlowStaysExact() throws Exception {
        Http http = new Http(base);
        ReplayAdmin admin = new ReplayAdmin(base);
        StatisticsWorkload quiet = StatisticsWorkload.start().run(http, 100);
        Instant quietEnded = now();
        quiet.awaitExact(http, Duration.ofMinutes(1));
        double quietP99 = dispatchP99(quiet.started, quietEnded);

        StatisticsWorkload history = StatisticsWorkload.start().run(http, 300);
        history.awaitExact(http, Duration.ofMinutes(2));
        history.emptyProjection();
        String job = admin.started(history.replayRequest(StatisticsWorkload.QUEUE, 300));
        StatisticsWorkload live = StatisticsWorkload.start().run(http, 100);
        Instant liveEnded = now();
        boolean overlapped = "running".equals(admin.job(job).get("status").asText());
        JsonNode replayed = admin.awaitEnded(job, Duration.ofMinutes(2));
        assertEquals("done", replayed.get("status").asText(), replayed.toString());
        int[] liveCounts = live.awaitExact(http, Duration.ofMinutes(2));
        int[] historyCounts = history.awaitExact(http, Duration.ofMinutes(2));
        double liveP99 = dispatchP99(live.started, liveEnded);
        System.out.println(String.format("REPLAY while live events flow: %d replayed at %d/s (still running when the live"
                        + " load ended: %s); live lost=%d duplicated=%d, replayed lost=%d duplicated=%d;"
                        + " commit-to-dispatch p99 %.1f ms with the replay, %.1f ms without",
                replayed.get("done").asLong(), replayed.get("eventsPerSecond").asLong(), overlapped, liveCounts[0],
                liveCounts[1], historyCounts[0], historyCounts[1], liveP99, quietP99));
    }

    /** p99 of dispatched_at - occurred_at over the events that occurred in [from, to), in ms. */
    private static double dispatchP99(Instant from, Instant to) throws Exception {
        try (Connection connection = Database.connect(); PreparedStatement select = connection.prepareStatement("""
                SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - occurred_at) * 1000)
                  FROM outbox_event WHERE occurred_at >= ? AND occurred_at < ? AND dispatched_at IS NOT NULL""")) {
            select.setTimestamp(1, Timestamp.from(from));
            select.setTimestamp(2, Timestamp.from(to));
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getDouble(1);
            }
        }
    }

    private static Instant now() throws Exception {
        try (Connection connection = Database.connect();
             var statement = connection.createStatement();
             var row = statement.executeQuery("SELECT clock_timestamp()")) {
            row.next();
            return row.getTimestamp(1).toInstant();
        }
    }

    /**
     * Waits until the projection's queue has taken everything published before now: a pulse made
     * now reaches the statistics only after the messages ahead of it in the queue, and then the
     * queue holds nothing more.
     */
    private static void awaitConsumed(Http http) throws Exception {
        StatisticsWorkload sentinel = StatisticsWorkload.start().run(http, 1);
        sentinel.awaitExact(http, Duration.ofMinutes(1));
        ConnectionFactory factory = TestServices.brokerConnectionFactory();
        try (com.rabbitmq.client.Connection connection = factory.newConnection("edupulse-test-replay-probe");
             Channel channel = connection.createChannel()) {
            Awaitility.await("the projection's queue is empty").atMost(Duration.ofMinutes(1))
                    .until(() -> channel.queueDeclarePassive(StatisticsWorkload.QUEUE).getMessageCount() == 0);
        }
    }
}
