package live.edupulse.outbox.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TestServices;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replay under a crash: a server started by this test (WildFly or Open Liberty, port offset 100,
 * replay lease 3 s) is killed ({@code kill -9}) in the middle of a replay that rebuilds the
 * statistics of 100 pulses; started again, it takes the job over from its stored cursor, and the
 * statistics end exact. A second server with a new queue for the statistics catches up by itself.
 * Each scenario prints its lost and duplicated effects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayFaultsIT {

    private ServerInstance server;
    private boolean serverRunning;
    private Path war;

    @BeforeAll
    void startServer() throws Exception {
        war = Deployments.outboxFile("replay-fault-test.war");
        // a job's lease is at least twice the confirm timeout: both short, so a takeover comes soon
        server = ServerInstance.of("replay-faults", 100, Map.of("OUTBOX_REPLAY_LEASE", "3s",
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "1s"), war);
        ensureServerRunning();
    }

    private void ensureServerRunning() throws Exception {
        if (!serverRunning) {
            server.start();
            serverRunning = true;
        }
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aServerKilledMidReplayResumesFromItsCursorAndTheProjectionEndsExact() throws Exception {
        ensureServerRunning();
        Http http = new Http(server.base());
        StatisticsWorkload workload = StatisticsWorkload.start().run(http, 100);
        workload.awaitExact(http, Duration.ofMinutes(2));
        workload.emptyProjection();
        String job = new ReplayAdmin(server.base()).started(workload.replayRequest(StatisticsWorkload.QUEUE, 50));
        UUID id = UUID.fromString(job);
        long total = progress(id).get(1);
        Awaitility.await("a quarter replayed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> progress(id).get(0) >= total / 4);
        server.kill();
        serverRunning = false;
        long doneAtKill = progress(id).get(0);
        assertTrue(doneAtKill < total, "the kill came in the middle of the replay: " + doneAtKill + " of " + total);
        ensureServerRunning();
        JsonNode ended = new ReplayAdmin(server.base()).awaitEnded(job, Duration.ofMinutes(3));
        assertEquals("done", ended.get("status").asText(), ended.toString());
        int[] counts = workload.awaitExact(http, Duration.ofMinutes(2));
        System.out.println(String.format("REPLAY FAULT server killed (kill -9) mid-replay and started again: %d of %d"
                        + " events replayed at the kill, %d in all; lost=%d duplicated=%d",
                doneAtKill, total, ended.get("done").asLong(), counts[0], counts[1]));
    }

    /**
     * A consumer listed in {@code inbox.catch-up} whose queue is new (a second server with its own
     * queue prefix) requests a replay of its event types at its first start, and ends with the
     * effects it would have had from the start: the history it had forgotten rebuilt, the events
     * committed while it caught up applied once, what it already had untouched.
     */
    @Test
    void aConsumerThatCatchesUpAtItsFirstStartEndsWithTheEffectsItWouldHaveHadFromTheStart() throws Exception {
        ensureServerRunning();
        Http http = new Http(server.base());
        StatisticsWorkload history = StatisticsWorkload.start().run(http, 100);
        history.awaitExact(http, Duration.ofMinutes(2));
        history.emptyProjection();
        String prefix = "catchup-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String queue = prefix + StatisticsWorkload.CONSUMER;
        try (ServerInstance fresh = ServerInstance.of("replay-catch-up", 200, Map.of(
                "INBOX_QUEUE_PREFIX", prefix,
                "INBOX_CATCH_UP", StatisticsWorkload.CONSUMER,
                "OUTBOX_REPLAY_DEFAULT_RATE", "5000",
                // the catch-up replay waits one dispatch lease before it starts
                "OUTBOX_DISPATCH_LEASE", "6s",
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "2s"), war)) {
            fresh.start();
            Http freshHttp = new Http(fresh.base());
            StatisticsWorkload live = StatisticsWorkload.start().run(freshHttp, 20); // while it catches up
            ReplayAdmin admin = new ReplayAdmin(fresh.base());
            String job = null;
            for (JsonNode listed : admin.list().get("replays")) {
                if (queue.equals(listed.get("queue").asText())) {
                    job = listed.get("id").asText();
                    assertEquals("inbox catch-up", listed.get("requestedBy").asText(), listed.toString());
                }
            }
            assertTrue(job != null, "the consumer requested its catch-up replay to " + queue);
            JsonNode ended = admin.awaitEnded(job, Duration.ofMinutes(3));
            assertEquals("done", ended.get("status").asText(), ended.toString());
            assertTrue(ended.get("notBefore").isNull(), ended.toString());
            // it waited for the claims held at its request, at least one lease (6 s), before it started
            assertTrue(!Instant.parse(ended.get("startedAt").asText())
                    .isBefore(Instant.parse(ended.get("requestedAt").asText()).plusSeconds(6)), ended.toString());
            int[] rebuilt = history.awaitExact(freshHttp, Duration.ofMinutes(2));
            int[] applied = live.awaitExact(freshHttp, Duration.ofMinutes(2));
            System.out.println(String.format("REPLAY catch-up at first start: %d retained events replayed to %s;"
                            + " forgotten history lost=%d duplicated=%d, live events meanwhile lost=%d duplicated=%d",
                    ended.get("done").asLong(), queue, rebuilt[0], rebuilt[1], applied[0], applied[1]));
        } finally {
            deleteQueue(queue);
        }
    }

    private static void deleteQueue(String queue) throws Exception {
        ConnectionFactory factory = TestServices.brokerConnectionFactory();
        try (Connection connection = factory.newConnection("edupulse-test-cleanup");
             Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
        }
    }

    /** {done, total} of a job, read from the database (the server may be down). */
    private static List<Long> progress(UUID job) throws Exception {
        return List.of(Database.single("SELECT done FROM outbox_replay WHERE id = ?", job),
                Database.single("SELECT total FROM outbox_replay WHERE id = ?", job));
    }
}
