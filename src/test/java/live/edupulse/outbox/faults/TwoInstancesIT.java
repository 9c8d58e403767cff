package live.edupulse.outbox.faults;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.faults.FaultRig.assertNothingLost;
import static live.edupulse.outbox.faults.FaultRig.burst;
import static live.edupulse.outbox.faults.FaultRig.metric;
import static live.edupulse.outbox.faults.FaultRig.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.awaitility.core.ConditionTimeoutException;
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
        // A's late settle must outlive its database's stall (up to a minute and more), not give up on
        // the socket; without TLS, a connection A opens during the stall waits as long (pgjdbc waits
        // for the answer to its TLS request only sslResponseTimeout, 5 s)
        envA.put("EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + A_DATABASE + "/" + TestServices.dbName()
                + "?sslmode=disable");
        envA.put("EDUPULSE_DB_SOCKET_TIMEOUT", "600");
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
        double faultsBefore = dispatchFaults();
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
                // a republished copy arrives after its first: read the duplicates once every row is settled
                await("every row settled").atMost(Duration.ofSeconds(60)).pollInterval(ofMillis(200))
                        .until(() -> table.count("dispatched_at IS NULL") == 0);
                double faults = ledger.duplicated().isEmpty() ? 0 : dispatchFaultsSince(faultsBefore);
                Set<String> excused = faults == 0 ? Set.of() : table.ids();
                System.out.printf("TWO INSTANCES: dispatch faults the instances counted during the run: %.0f%n", faults);
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
        double fencedBefore = metric(a.base(), "outbox_events_fenced_total");
        try (EventLedger ledger = new EventLedger(routingKey)) {
            long started = System.nanoTime();
            Set<String> leasedDuringFault;
            int fired;
            StuckLeases stuck;
            // A can still claim, but its publishes wait in the proxy: it hangs in its confirm wait.
            brokerOfA.stall();
            // From here until both proxies resume, whatever is leased may be delivered twice: A's
            // lanes time out, release, claim again and publish more into the stalled proxy.
            LeaseWatch watch = new LeaseWatch(type);
            ExecutorService firing = Executors.newSingleThreadExecutor();
            try {
                // The backlog goes in through B while the test watches A from the first moment: A
                // can claim only while its stalled connection still looks alive (until heartbeats
                // are missed), so nothing may wait for the whole burst first.
                Future<?> backlog = firing.submit(() -> burst(b.base(), type, routingKey, events, 100));
                // A's database stalls while A holds leases: its settle will come after its lease expired.
                stuck = stallDatabaseOfAWhileItHoldsLeases(table, ownerOfA, type, routingKey);
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
            assertTakenOverOnlyAfterTheLeaseEnded(table, stuck.leaseEnds());
            // A's late settle lands once its database is back, and is fenced off by the lease token.
            await("A's late settle fenced off (outbox_events_fenced_total on A)").atMost(LEASE.multipliedBy(2))
                    .pollInterval(ofMillis(200)).until(() -> metric(a.base(), "outbox_events_fenced_total") > fencedBefore);
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
                                                           String routingKey) {
        AtomicInteger extra = new AtomicInteger();
        AtomicLong nextTopUp = new AtomicLong(System.nanoTime());
        AtomicReference<Map<String, Instant>> stuck = new AtomicReference<>();
        try {
            await().atMost(ofSeconds(90)).pollInterval(ofMillis(20)).until(() -> {
                if (!table.leasedBy(owner).isEmpty()) {
                    stuck.set(stallDatabaseOfA(table, owner));
                    return stuck.get() != null;
                }
                if (System.nanoTime() > nextTopUp.get()) {
                    burst(a.base(), type, type + "-a" + extra.get(), routingKey, 50, 10);
                    extra.addAndGet(50);
                    nextTopUp.set(System.nanoTime() + Duration.ofSeconds(2).toNanos());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("instance A never held leases while its broker was stalled (events committed on A: "
                    + extra.get() + ")", e);
        }
        System.out.printf("STALE LEASE: A stuck holding %d leases, its database stalled%n", stuck.get().size());
        return new StuckLeases(stuck.get(), extra.get());
    }

    /**
     * Stalls A's database and returns the leases A holds, with when each ends, once they have stayed
     * the same for 300 ms (a release already past the proxy lands within milliseconds; after that
     * A's leases cannot change); when A holds none, or they keep changing, resumes the database and
     * returns null.
     */
    private Map<String, Instant> stallDatabaseOfA(OutboxTable table, String owner) throws SQLException {
        databaseOfA.stall();
        Map<String, Instant> held = table.leaseEndsBy(owner);
        if (!held.isEmpty()) {
            try {
                await().during(ofMillis(300)).atMost(ofSeconds(2)).pollInterval(ofMillis(50))
                        .until(() -> table.leaseEndsBy(owner).equals(held));
                return held;
            } catch (ConditionTimeoutException e) {
                // A released or claimed in the meantime: try again with its next claim
            }
        }
        databaseOfA.resume();
        return null;
    }

    /**
     * What A holds when its database stalls, with when each of those leases ends (the database's
     * clock), and how many events were fired to get it there.
     */
    private record StuckLeases(Map<String, Instant> leaseEnds, int extraEvents) {
        Set<String> held() {
            return leaseEnds.keySet();
        }
    }

    /**
     * How long the work a stalled instance held waited to move: each event A was stuck with was
     * delivered (its {@code dispatched_at}, the database's clock, as its lease end is) after A's
     * lease on it ended, never before, and within one more lease: B takes expired leases at its next
     * claim (its timer ticks every second).
     */
    private static void assertTakenOverOnlyAfterTheLeaseEnded(OutboxTable table, Map<String, Instant> leaseEnds)
            throws SQLException {
        Map<String, Instant> dispatched = table.dispatchedAt(leaseEnds.keySet());
        assertEquals(leaseEnds.keySet(), dispatched.keySet(), "the events A was stuck with, settled");
        List<String> takenEarly = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        leaseEnds.forEach((id, leaseEnd) -> {
            if (!dispatched.get(id).isAfter(leaseEnd)) {
                takenEarly.add(id);
            }
            waits.add(Duration.between(leaseEnd, dispatched.get(id)).toMillis());
        });
        Collections.sort(waits);
        System.out.printf("TAKEOVER: %d events A was stuck with, delivered by B %d / %d / %d ms after A's lease on"
                + " them ended (least / median / most; lease %d s)%n", waits.size(), waits.get(0),
                waits.get(waits.size() / 2), waits.get(waits.size() - 1), LEASE.toSeconds());
        assertTrue(takenEarly.isEmpty(), takenEarly.size() + " events taken from A before A's lease on them ended,"
                + " among them " + takenEarly.stream().limit(3).toList());
        assertTrue(waits.get(waits.size() - 1) <= LEASE.toMillis(),
                "an event waited more than one more lease after A's lease ended: " + waits.get(waits.size() - 1) + " ms");
    }

    /**
     * Waits until none of the rows A is stuck with is leased by A any more: their lease expired and
     * B claimed them (or has already delivered them). Only then is A's settle a late one.
     */
    private static void awaitTakenOver(OutboxTable table, String owner, Set<String> held) {
        await("B takes over the rows A held past its lease").atMost(LEASE.multipliedBy(6)).pollInterval(ofMillis(100))
                .until(() -> Collections.disjoint(table.leasedBy(owner), held));
    }

    /**
     * How many dispatch faults both instances counted since {@code before} (pauses after a
     * broker-wide or database failure, fenced-off settles, drains aborted past their lease), waiting
     * for the first one up to twice the lease: a confirm timeout is counted when it happens, a
     * fenced settle only when the late lane settles, which may be after both copies of its messages
     * arrived. 0 when none came.
     */
    private double dispatchFaultsSince(double before) {
        try {
            return await().atMost(LEASE.multipliedBy(2)).pollInterval(ofMillis(200))
                    .until(() -> dispatchFaults() - before, faults -> faults > 0);
        } catch (ConditionTimeoutException e) {
            return 0;
        }
    }

    /** The dispatch faults both instances counted since their deployment. */
    private double dispatchFaults() {
        double faults = 0;
        for (ServerInstance instance : List.of(a, b)) {
            for (String counter : List.of("outbox_dispatch_pauses_total", "outbox_events_fenced_total",
                    "outbox_drain_overruns_total")) {
                faults += metric(instance.base(), counter);
            }
        }
        return faults;
    }

    /** The instance's dispatcher id (its leases' {@code lease_owner}), from its liveness data. */
    private static String dispatcherOwner(ServerInstance instance) throws Exception {
        JsonNode live = JSON.readTree(new Http(instance.health()).get("health/live").body());
        for (JsonNode check : live.path("checks")) {
            if (check.path("name").asText().equals("outbox-dispatcher")) {
                return check.path("data").path("dispatcher").asText();
            }
        }
        throw new AssertionError("no outbox-dispatcher check in " + live);
    }
}
