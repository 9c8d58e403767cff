package live.edupulse.outbox.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Map;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Recording costs the business transaction one database round trip, whatever the number of events
 * it fires: the events are persisted as entities and inserted in one JDBC batch at the flush, and
 * the database numbers them (V11's trigger). Counted by a proxy between the server and PostgreSQL;
 * the server's dispatch is off, so only the calls (and the server's own timers, a few round trips
 * a second) go through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordingRoundTripsIT {

    private static final int DATABASE_PROXY = 29732;
    private static final int CALLS = 200;

    private final TcpProxy database = new TcpProxy(DATABASE_PROXY, TestServices.dbHost(), TestServices.dbPort());
    private ServerInstance server;

    @BeforeAll
    void startServer() throws Exception {
        database.open();
        server = ServerInstance.of("round-trips", 700, Map.of(
                "EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + DATABASE_PROXY + "/" + TestServices.dbName(),
                "OUTBOX_DISPATCH_ENABLED", "false"), Deployments.outboxFile("round-trips-test.war")).start();
    }

    @AfterAll
    void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            database.close();
            Database.execute("DELETE FROM outbox_event WHERE aggregate_type = 'bench_business'");
            Database.execute("DELETE FROM learning_pulse WHERE title = 'benchmark'");
        }
    }

    @Test
    void aTransactionRecordsOneOrTenEventsInOneRoundTrip() {
        Http http = new Http(server.base());
        roundTripsPerCall(http, 1); // warm-up: the first calls prepare statements and fill the pool
        // The proxy also counts the server's background statements (backlog count, timers), which
        // only ever add: each variant's figure is its least disturbed of three interleaved rounds.
        double none = Double.MAX_VALUE;
        double one = Double.MAX_VALUE;
        double ten = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            none = Math.min(none, roundTripsPerCall(http, 0));
            one = Math.min(one, roundTripsPerCall(http, 1));
            ten = Math.min(ten, roundTripsPerCall(http, 10));
        }
        System.out.printf("round trips per business call (one insert), least of three rounds: no event %.2f, one event %.2f,"
                + " ten events %.2f%n", none, one, ten);
        assertEquals(1.0, one - none, 0.5, "one event costs about one round trip more than none");
        // a statement per event would make ten cost nine round trips more than one
        assertEquals(one, ten, 0.5, "ten events cost what one does");
    }

    /** {@value #CALLS} business calls one after the other, each firing {@code events} events. */
    private double roundTripsPerCall(Http http, int events) {
        long before = database.roundTrips();
        for (int i = 0; i < CALLS; i++) {
            HttpResponse<String> response = http.post("api/test/events/business?routingKey=round.trips&events=" + events, null);
            assertEquals(200, response.statusCode(), response.body());
        }
        return (double) (database.roundTrips() - before) / CALLS;
    }
}
