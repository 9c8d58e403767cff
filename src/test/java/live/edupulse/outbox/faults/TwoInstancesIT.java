package live.edupulse.outbox.faults;

import static live.edupulse.outbox.faults.FaultRig.assertNothingLost;
import static live.edupulse.outbox.faults.FaultRig.burst;
import static live.edupulse.outbox.faults.FaultRig.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Two server instances (port offsets 100 and 200, own folders and transaction logs)
 * share the database and the broker; their after-commit nudges and timers race for the same rows.
 * Instance A reaches both services through proxies, so the test can stall it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int A_BROKER = 29710;
    private static final int A_DATABASE = 29711;
    private static final Duration LEASE = Duration.ofSeconds(10);

    private final TcpProxy brokerOfA = new TcpProxy(A_BROKER, TestServices.brokerHost(), TestServices.brokerPort());
    private final TcpProxy databaseOfA = new TcpProxy(A_DATABASE, TestServices.dbHost(), TestServices.dbPort());
    private ServerInstance a;
    private ServerInstance b;

    @BeforeAll
    void startInstances() throws Exception {
        brokerOfA.open();
        databaseOfA.open();
        Map<String, String> common = Map.of(
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "4s",
                "OUTBOX_DISPATCH_LEASE", LEASE.toSeconds() + "s",
                "OUTBOX_DISPATCH_BACKOFF_INITIAL", "200ms",
                "OUTBOX_DISPATCH_BROKER_BACKOFF_MAX", "1s");
        Map<String, String> envA = new java.util.HashMap<>(common);
        envA.put("EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + A_DATABASE + "/" + TestServices.dbName());
        envA.put("OUTBOX_BROKER_ADDRESSES", "127.0.0.1:" + A_BROKER);
        // A waits longer for confirms, so a stalled A is seen holding its leases
        envA.put("OUTBOX_BROKER_CONFIRM_TIMEOUT", "5s");
        var war = FaultRig.testWar();
        a = ServerInstance.of("instance-a", 100, envA, war).start();
        b = ServerInstance.of("instance-b", 200, common, war).start();
    }

    @AfterAll
    void stopInstances() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        } finally {
            brokerOfA.close();
            databaseOfA.close();
        }
    }

    @Test
    void eventsOfTwoHundredPulsesChangedThroughBothInstancesArriveOnceEachInOrderPerPulse() throws Exception {
        int pulses = 200;
        // 6,000 HTTP calls: the calls, not the dispatch, take most of the test's time
        int perPulse = Math.max(2, FaultScale.events(6_000) / pulses);
        List<Http> servers = List.of(new Http(a.base()), new Http(b.base()));
        long logOfA = Files.size(a.serverLog());
        long logOfB = Files.size(b.serverLog());
        try (EventLedger ledger = new EventLedger("learning_pulse.*")) {
            long started = System.nanoTime();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<String>> created = new ArrayList<>();
            try {
                for (int p = 0; p < pulses; p++) {
                    int pulse = p;
                    created.add(clients.submit(() -> {
                        // each pulse: created, then retitled perPulse-1 times, alternating between the instances
                        Http first = servers.get(pulse % 2);
                        HttpResponse<String> response = first.post("api/pulses",
                                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Pulse " + pulse + "\"}");
                        assertEquals(201, response.statusCode(), response.body());
                        String id = JSON.readTree(response.body()).get("id").asText();
                        for (int change = 1; change < perPulse; change++) {
                            HttpResponse<String> retitled = servers.get((pulse + change) % 2)
                                    .patch("api/pulses/" + id, "{\"title\":\"Pulse " + pulse + " v" + change + "\"}");
                            assertEquals(200, retitled.statusCode(), retitled.body());
                        }
                        return id;
                    }));
                }
                List<String> ids = new ArrayList<>();
                for (Future<String> pulse : created) {
                    ids.add(pulse.get(10, TimeUnit.MINUTES));
                }
                double firingSeconds = (System.nanoTime() - started) / 1e9;
                OutboxTable table = OutboxTable.of("learning_pulse", ids);
                System.out.printf("TWO INSTANCES: %d events over %d pulses fired through both REST APIs in %.1fs%n",
                        pulses * perPulse, pulses, firingSeconds);
                // A machine too busy to confirm within the confirm timeout (or to settle within the
                // lease) is a fault the dispatcher sees and logs; only then may it publish twice.
                ledger.awaitAll(table.ids(), Duration.ofMinutes(3));
                List<String> faults = ledger.duplicated().isEmpty() ? List.of() : dispatchFaultsLogged(logOfA, logOfB);
                Set<String> excused = faults.isEmpty() ? Set.of() : table.ids();
                System.out.printf("TWO INSTANCES: dispatch faults the instances logged during the run: %d %s%n",
                        faults.size(), faults);
                assertNothingLost("two-instances-no-fault", table, ledger, excused, pulses * perPulse, started);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void staleLeaseHolderCannotSettleAfterItsLeaseWasTakenOver() throws Exception {
        int events = FaultScale.events(10_000);
        String type = unique("stale_lease");
        String routingKey = "fault." + type;
        OutboxTable table = new OutboxTable(type);
        String ownerOfA = dispatcherOwner(a);
        try (EventLedger ledger = new EventLedger(routingKey)) {
            long started = System.nanoTime();
            Set<String> leasedDuringFault;
            int fired;
            // A can still claim, but its publishes wait in the proxy: it hangs in its confirm wait.
            brokerOfA.stall();
            // From here until both proxies resume, whatever is leased may be delivered twice: A's
            // lanes time out, release, claim again and publish more into the stalled proxy.
            LeaseWatch watch = new LeaseWatch(table);
            ExecutorService firing = Executors.newSingleThreadExecutor();
            try {
                // The backlog goes in through B while the test watches A from the first moment: A
                // can claim only while its stalled connection still looks alive (until heartbeats
                // are missed), so nothing may wait for the whole burst first.
                Future<?> backlog = firing.submit(() -> burst(b.base(), type, routingKey, events, 100));
                // A's database stalls while A holds leases: its settle will come after its lease expired.
                StuckLeases stuck = stallDatabaseOfAWhileItHoldsLeases(table, ownerOfA, type, routingKey);
                backlog.get(5, TimeUnit.MINUTES);
                fired = events + stuck.extraEvents();
                awaitTakenOver(table, ownerOfA, stuck.held()); // the fault lasts past A's lease: what is under test
            } finally {
                firing.shutdownNow();
                try {
                    databaseOfA.resume();
                    brokerOfA.resume();
                } finally {
                    leasedDuringFault = watch.stop();
                }
            }
            assertNothingLost("stale-lease-holder", table, ledger, leasedDuringFault, fired, started);
            String logOfA = Files.readString(a.serverLog());
            assertTrue(logOfA.contains("were not settled: their lease expired and another dispatcher took them over"),
                    "A's late settle was fenced off by the lease token");
        }
    }

    /**
     * Stalls A's database connections at a moment A holds leases, so that A can neither settle nor
     * release them any more. A's lanes claim, wait for confirms that never come, release and claim
     * again, while B drains whatever A does not hold. Whenever A holds nothing, a few events
     * committed on A, on aggregates of their own (so no earlier event of the backlog holds them
     * back), nudge A into claiming again.
     */
    private StuckLeases stallDatabaseOfAWhileItHoldsLeases(OutboxTable table, String owner, String type,
                                                           String routingKey) throws Exception {
        int extra = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long nextTopUp = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (!table.leasedBy(owner).isEmpty()) {
                databaseOfA.stall();
                // a release already past the proxy lands within milliseconds; after that A's leases cannot change
                Set<String> held = table.leasedBy(owner);
                Thread.sleep(300);
                if (!held.isEmpty() && table.leasedBy(owner).equals(held)) {
                    System.out.printf("STALE LEASE: A stuck holding %d leases, its database stalled%n", held.size());
                    return new StuckLeases(held, extra);
                }
                databaseOfA.resume();
            } else if (System.nanoTime() > nextTopUp) {
                burst(a.base(), type, type + "-a" + extra, routingKey, 50, 10);
                extra += 50;
                nextTopUp = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("instance A never held leases while its broker was stalled (events committed on A: " + extra + ")");
    }

    /** What A holds when its database stalls, and how many events were fired to get it there. */
    private record StuckLeases(Set<String> held, int extraEvents) {
    }

    /**
     * Waits until none of the rows A is stuck with is leased by A any more: their lease expired and
     * B claimed them (or has already delivered them). Only then is A's settle a late one.
     */
    private static void awaitTakenOver(OutboxTable table, String owner, Set<String> held) throws Exception {
        long deadline = System.nanoTime() + LEASE.multipliedBy(6).toNanos();
        while (!java.util.Collections.disjoint(table.leasedBy(owner), held)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("B never took over the rows A held past its lease");
            }
            Thread.sleep(100);
        }
    }

    /**
     * The instances' dispatch fault lines since the given log offsets, waiting for the first one
     * up to twice the lease: a confirm timeout is logged when it happens, a fenced settle only when
     * the late lane settles, which may be after both copies of its messages arrived.
     */
    private List<String> dispatchFaultsLogged(long offsetOfA, long offsetOfB) throws Exception {
        long deadline = System.nanoTime() + LEASE.multipliedBy(2).toNanos();
        while (true) {
            List<String> faults = new ArrayList<>(dispatchFaultsLogged(a, offsetOfA));
            faults.addAll(dispatchFaultsLogged(b, offsetOfB));
            if (!faults.isEmpty() || System.nanoTime() > deadline) {
                return faults;
            }
            Thread.sleep(200);
        }
    }

    /** The dispatcher's lines about a broker-wide failure, a fenced settle or an overrun drain, from {@code offset} on. */
    private static List<String> dispatchFaultsLogged(ServerInstance instance, long offset) throws Exception {
        byte[] log = Files.readAllBytes(instance.serverLog());
        String written = new String(log, (int) Math.min(offset, log.length), (int) Math.max(0, log.length - offset),
                java.nio.charset.StandardCharsets.UTF_8);
        return written.lines()
                .filter(line -> line.contains("Outbox dispatch paused for") || line.contains("were not settled: their lease expired")
                        || line.contains("Outbox drain overran its lease"))
                .toList();
    }

    private static String dispatcherOwner(ServerInstance instance) throws Exception {
        Matcher started = Pattern.compile("Outbox dispatcher ([0-9a-f-]{36}) started").matcher(Files.readString(instance.serverLog()));
        String owner = null;
        while (started.find()) {
            owner = started.group(1);
        }
        assertTrue(owner != null, "the dispatcher logs its id at start");
        return owner;
    }
}
