package live.edupulse.outbox.faults;

import static live.edupulse.outbox.faults.FaultRig.assertNothingLost;
import static live.edupulse.outbox.faults.FaultRig.burst;
import static live.edupulse.outbox.faults.FaultRig.metric;
import static live.edupulse.outbox.faults.FaultRig.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database stops answering (its connections stall, nothing is closed) while the dispatcher
 * is idle, so every lane is in a claim: liveness goes DOWN once a claim overruns its batch's
 * deadline, the datasource's socket timeout gives the stalled read up, and when the database
 * answers again the dispatcher resumes by itself and loses nothing. The instance reaches the
 * database through a proxy the test stalls; the shared PostgreSQL is never touched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseStallIT {

    private static final int DATABASE_PROXY = 29731;
    private static final int AGGREGATES = 50;
    private static final int SOCKET_TIMEOUT_SECONDS = 10;

    private final TcpProxy database = new TcpProxy(DATABASE_PROXY, TestServices.dbHost(), TestServices.dbPort());
    private ServerInstance server;

    @BeforeAll
    void startServer() throws Exception {
        database.open();
        server = ServerInstance.of("database-stall", 600, Map.of(
                // without TLS: pgjdbc gives up waiting for the answer to its TLS request after its
                // sslResponseTimeout (5 s), so a claim that had to open a connection during the stall
                // failed before it counted as hung; now every wait on the silent database lasts
                // the socket timeout
                "EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + DATABASE_PROXY + "/" + TestServices.dbName()
                        + "?sslmode=disable",
                "EDUPULSE_DB_SOCKET_TIMEOUT", Integer.toString(SOCKET_TIMEOUT_SECONDS),
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "2s",
                "OUTBOX_DISPATCH_LEASE", "4s",
                "OUTBOX_DISPATCH_STATEMENT_TIMEOUT", "2s",
                "OUTBOX_DISPATCH_BACKOFF_INITIAL", "200ms",
                "OUTBOX_DISPATCH_BROKER_BACKOFF_MAX", "1s"), FaultRig.testWar()).start();
    }

    @AfterAll
    void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            database.close();
        }
    }

    @Test
    void aSilentDatabaseTakesLivenessDownAndTheDispatcherResumesAfterIt() throws Exception {
        int half = FaultScale.events(2_000) / 2;
        String type = unique("database_stall");
        String routingKey = "fault." + type;
        OutboxTable table = new OutboxTable(type);
        Http health = new Http(server.health());
        try (EventLedger ledger = new EventLedger(routingKey)) {
            long started = System.nanoTime();
            burst(server.base(), type, routingKey, half, AGGREGATES);
            assertTrue(ledger.awaitDistinct(half, Duration.ofMinutes(2)), "the first half delivered before the stall");
            await("the first half settled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> table.count("dispatched_at IS NULL") == 0);
            // idle now: the timer's claims are what the stall catches
            double pausesBefore = metric(server.base(), "outbox_dispatch_pauses_total");
            Set<String> leasedAtFault;
            LeaseWatch watch = new LeaseWatch(type);
            long stalledAt = System.nanoTime();
            try {
                database.stall();
                await("liveness DOWN while a claim hangs on the silent database").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> health.get("health/live").statusCode() == 503);
                System.out.printf("database-stall: liveness DOWN %.1f s into the stall%n", (System.nanoTime() - stalledAt) / 1e9);
                // the claim's read fails at the socket timeout, and the dispatcher pauses for it
                await("the stalled read given up after the socket timeout").atMost(Duration.ofSeconds(SOCKET_TIMEOUT_SECONDS + 20))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> metric(server.base(), "outbox_dispatch_pauses_total") > pausesBefore);
                System.out.printf("database-stall: stalled read given up %.1f s into the stall%n", (System.nanoTime() - stalledAt) / 1e9);
            } finally {
                database.resume();
                leasedAtFault = watch.stop();
            }
            await("liveness UP again after the stall").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> health.get("health/live").statusCode() == 200);
            burst(server.base(), type, routingKey, half, AGGREGATES);
            assertNothingLost("database-stall", table, ledger, leasedAtFault, 2 * half, started);
        }
    }
}
