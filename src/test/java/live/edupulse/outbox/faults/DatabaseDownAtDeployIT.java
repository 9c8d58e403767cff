package live.edupulse.outbox.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.Test;

/**
 * The database is unreachable while the application deploys (the instance reaches it through a
 * proxy that refuses connections) and comes up seconds later: the schema migration retries, the
 * deployment succeeds, and the application serves.
 */
class DatabaseDownAtDeployIT {

    private static final int DATABASE_PROXY = 29721;
    private static final Duration DATABASE_AWAY_AFTER_FIRST_REFUSAL = Duration.ofSeconds(5);

    @Test
    void deploysOnceTheDatabaseComesUp() throws Exception {
        TcpProxy database = new TcpProxy(DATABASE_PROXY, TestServices.dbHost(), TestServices.dbPort()); // not opened: refuses
        ServerInstance server = ServerInstance.of("database-down-at-deploy", 500, Map.of(
                "EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + DATABASE_PROXY + "/" + TestServices.dbName(),
                "OUTBOX_SCHEMA_CONNECT_RETRY", "60s"), FaultRig.testWar());
        try {
            long started = System.nanoTime();
            CompletableFuture<Double> restored = CompletableFuture.supplyAsync(() -> {
                await("the migration found the database away").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Files.exists(server.serverLog())
                                && Files.readString(server.serverLog()).contains("Database not reachable yet"));
                System.out.printf("database-down-at-deploy: the migration found the database away %.1f s after the server was started%n",
                        (System.nanoTime() - started) / 1e9);
                try {
                    Thread.sleep(DATABASE_AWAY_AFTER_FIRST_REFUSAL.toMillis()); // how long the database stays away is the fault
                    database.open();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return (System.nanoTime() - started) / 1e9;
            });
            server.start();
            double restoredAt = restored.get(10, TimeUnit.SECONDS);
            System.out.printf("database-down-at-deploy: database restored %.1f s after the server was started, application serving %.1f s after%n",
                    restoredAt, (System.nanoTime() - started) / 1e9);
            assertEquals(201, new Http(server.base()).post("api/pulses",
                    "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"after the database came up\"}").statusCode());
            assertEquals(200, new Http(server.health()).get("health/ready").statusCode());
            String log = Files.readString(server.serverLog());
            assertTrue(log.contains("Database reachable after"), "the migration says it waited");
        } finally {
            try {
                server.close();
            } finally {
                database.close();
            }
        }
    }
}
