package live.edupulse.outbox.faults;

import static live.edupulse.outbox.faults.FaultRig.assertNothingLost;
import static live.edupulse.outbox.faults.FaultRig.burst;
import static live.edupulse.outbox.faults.FaultRig.rabbitmqctl;
import static live.edupulse.outbox.faults.FaultRig.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.OutboxTable;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * G5 under real faults. A server started by this test (WildFly or Open Liberty, port offset 100) reaches RabbitMQ and
 * PostgreSQL through TCP proxies the test controls. Each scenario records its events with the
 * broker unreachable, opens it, injects the fault once a fifth has arrived, keeps it for a while
 * (a {@link LeaseWatch} records which events are leased all along), restores, and checks: nothing lost, duplicates only
 * of events leased during the fault, order per aggregate, no attempt spent, nothing parked. Shared services are restored whatever happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleInstanceFaultsIT {

    private static final int BROKER_PROXY = 29700;
    private static final int DATABASE_PROXY = 29701;
    private static final int AGGREGATES = 100;

    private final TcpProxy broker = new TcpProxy(BROKER_PROXY, TestServices.brokerHost(), TestServices.brokerPort());
    private final TcpProxy database = new TcpProxy(DATABASE_PROXY, TestServices.dbHost(), TestServices.dbPort());
    private ServerInstance server;

    @BeforeAll
    void startServer() throws Exception {
        broker.open();
        database.open();
        server = ServerInstance.of("faults", 100, Map.of(
                "EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + DATABASE_PROXY + "/" + TestServices.dbName(),
                "OUTBOX_BROKER_ADDRESSES", "127.0.0.1:" + BROKER_PROXY,
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "2s",
                "OUTBOX_BROKER_CONNECTION_TIMEOUT", "2s",
                "OUTBOX_DISPATCH_LEASE", "10s",
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
            broker.close();
            database.close();
        }
    }

    /** A fault: inject it, keep it for a while, take it back. */
    interface Fault {
        void inject() throws Exception;

        void restore() throws Exception;
    }

    private void scenario(String name, Duration held, Fault fault) throws Exception {
        scenario(name, held, false, fault);
    }

    /**
     * As {@link #scenario(String, Duration, Fault)}; with {@code claimsGivenBack}, the dispatcher
     * must also give back every batch it holds when the fault stops it, those in flight and those
     * claimed ahead of them, rather than leave them to wait for their lease to run out: no claim
     * may take rows over from a lease that ran out, until every row is settled.
     */
    private void scenario(String name, Duration held, boolean claimsGivenBack, Fault fault) throws Exception {
        int events = FaultScale.events(10_000);
        String type = unique(name.replace('-', '_'));
        String routingKey = "fault." + type;
        OutboxTable table = new OutboxTable(type);
        try (EventLedger ledger = new EventLedger(routingKey)) {
            long started = System.nanoTime();
            broker.close();
            burst(server.base(), type, routingKey, events, AGGREGATES);
            broker.open();
            assertTrue(ledger.awaitDistinct(events / 5, Duration.ofMinutes(2)), "a fifth delivered before the fault");
            // Every event leased at some moment of the fault may be delivered twice, no other.
            try (LeaseWatch watch = new LeaseWatch(type)) {
                double overrunsBefore = claimsGivenBack ? FaultRig.metric(server.base(), "outbox_drain_overruns_total") : 0;
                try {
                    fault.inject();
                    Thread.sleep(held.toMillis()); // the fault's duration is what is under test here
                } finally {
                    fault.restore();
                }
                Set<String> leasedAtFault = watch.leasedSoFar();
                assertNothingLost(name, table, ledger, leasedAtFault, events, started);
                if (claimsGivenBack) {
                    Set<String> takenOver = watch.takenOverSoFar();
                    // a drain stuck past its lease (the watchdog cuts it loose) leaves its batch to run out
                    double overruns = FaultRig.metric(server.base(), "outbox_drain_overruns_total") - overrunsBefore;
                    System.out.printf("FAULT %-32s rows taken over from a lease that ran out: %d (drain overruns: %.0f)%n",
                            name, takenOver.size(), overruns);
                    if (overruns == 0) {
                        assertEquals(Set.of(), takenOver, name + ": batches the dispatcher held at the fault were left"
                                + " to wait for their lease to run out instead of being given back");
                    }
                }
            }
        }
    }

    /** The verdict's excuse list: a lease claimed and cleared within a millisecond is in it. */
    @Test
    void theLeaseWatchSeesALeaseTooShortToSample() throws Exception {
        String type = unique("lease_watch");
        UUID id = UUID.randomUUID();
        try (Connection connection = Database.connect(); PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO outbox_event (id, aggregate_type, aggregate_id, event_type, payload, dispatched_at)
                VALUES (?, ?, 'a', 'lease_watch', '{}', now())""")) { // dispatched: no dispatcher touches it
            insert.setObject(1, id);
            insert.setString(2, type);
            insert.executeUpdate();
        }
        LeaseWatch watch = new LeaseWatch(type);
        try (Connection connection = Database.connect();
             PreparedStatement lease = connection.prepareStatement(
                     "UPDATE outbox_event SET lease_token = gen_random_uuid() WHERE id = ?");
             PreparedStatement release = connection.prepareStatement(
                     "UPDATE outbox_event SET lease_token = NULL WHERE id = ?")) {
            lease.setObject(1, id);
            release.setObject(1, id);
            lease.executeUpdate();
            release.executeUpdate();
        }
        assertEquals(Set.of(id.toString()), watch.stop());
    }

    @Test
    void brokerConnectionCutMidDrain() throws Exception {
        scenario("broker-connection-cut", Duration.ofSeconds(3), true, new Fault() {
            public void inject() {
                broker.close();
            }

            public void restore() throws Exception {
                broker.open();
            }
        });
    }

    @Test
    void brokerStopsAnswering() throws Exception {
        scenario("broker-stops-answering", Duration.ofSeconds(6), true, new Fault() {
            public void inject() {
                broker.stall();
            }

            public void restore() {
                broker.resume();
            }
        });
    }

    @Test
    void brokerRestarts() throws Exception {
        scenario("broker-restart", Duration.ofSeconds(2), true, new Fault() {
            public void inject() throws Exception {
                rabbitmqctl("stop_app");
            }

            public void restore() throws Exception {
                rabbitmqctl("start_app");
            }
        });
    }

    @Test
    void brokerBlocksPublishersAndUndeployStillCompletes() throws Exception {
        scenario("broker-memory-alarm", Duration.ofSeconds(4), new Fault() {
            public void inject() throws Exception {
                rabbitmqctl("set_vm_memory_high_watermark", "0.00001");
            }

            public void restore() throws Exception {
                try {
                    // While the broker still blocks publishers, undeploy: it must complete, not hang.
                    long undeployStarted = System.nanoTime();
                    server.undeploy();
                    System.out.printf("FAULT broker-memory-alarm: undeploy while blocked took %.1fs%n",
                            (System.nanoTime() - undeployStarted) / 1e9);
                } finally {
                    rabbitmqctl("set_vm_memory_high_watermark", "0.4");
                }
                server.redeploy();
            }
        });
    }

    @Test
    void databaseConnectionsCutForTenSeconds() throws Exception {
        scenario("database-cut-10s", Duration.ofSeconds(10), new Fault() {
            public void inject() {
                database.close();
            }

            public void restore() throws Exception {
                database.open();
            }
        });
    }

    @Test
    void serverKilledMidDrainAndStartedAgain() throws Exception {
        scenario("server-kill-9", Duration.ZERO, new Fault() {
            public void inject() throws Exception {
                server.kill();
            }

            public void restore() throws Exception {
                server.start();
            }
        });
    }
}
