package live.edupulse.inbox;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.Rabbitmqctl;
import live.edupulse.outbox.testing.RecordingInboxConsumer;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The inbox under real faults. A server started by this test (WildFly or Open Liberty, port offset
 * 100, prefetch 200, batches of up to 50, three partitions) consumes through a TCP proxy in front of
 * RabbitMQ; the test publishes a stream of contract messages (2,000 events over 100 aggregates, seq
 * 1..20 each, interleaved) to the recording consumer's queue, injects the fault once a fifth is
 * applied, restores, and checks the effects in {@code inbox_test_effect}: each event applied exactly
 * once, each aggregate's events in seq order. Each scenario prints its lost and duplicated effects.
 * The broker is restored whatever happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboxFaultsIT {

    private static final int BROKER_PROXY = 29720;
    private static final int AGGREGATES = 100;
    private static final int PER_AGGREGATE = 20;
    private static final int PREFETCH = 200;
    private static final int BATCH_SIZE = 50;
    /** The first instance decides its deliveries in three partitions of the aggregates; the second in one. */
    private static final int PARTITIONS = 3;
    private static final String QUEUE = "edupulse." + RecordingInboxConsumer.NAME;
    private static final String EVENT_TYPE = RecordingInboxConsumer.ROUTING_KEY_PREFIX + "fault";
    private static final String AGGREGATE_TYPE = "inbox_fault";
    private static final Duration DISPATCH_LEASE = Duration.ofSeconds(10);

    private final TcpProxy broker = new TcpProxy(BROKER_PROXY, TestServices.brokerHost(), TestServices.brokerPort());
    private Path war;
    private ServerInstance server;
    private boolean serverRunning;

    @BeforeAll
    void startServer() throws Exception {
        try (java.sql.Connection connection = Database.connect(); Statement statement = connection.createStatement()) {
            statement.execute(RecordingInboxConsumer.TABLES);
        }
        war = Deployments.outboxFile("inbox-fault-test.war");
        restoreDefinitions(); // the queue exists at the server's start: no catch-up replay then
        // a replay to the recorder's queue left running by a killed test JVM would refuse the catch-up
        if (Database.single("SELECT count(*) FROM pg_class WHERE oid = to_regclass('outbox_replay')") == 1) {
            Database.execute("UPDATE outbox_replay SET status = 'cancelled', finished_at = clock_timestamp(), lease_owner = NULL"
                    + " WHERE queue = ? AND status = 'running'", QUEUE);
        }
        broker.open();
        // a window well below the stream, so a stalled link leaves work for the second instance (and
        // barely above three partitions' batches: their acknowledgements wait for each other)
        server = ServerInstance.of("inbox-faults", 100, Map.of(
                "OUTBOX_BROKER_ADDRESSES", "127.0.0.1:" + BROKER_PROXY,
                "OUTBOX_BROKER_CONNECTION_TIMEOUT", "2s",
                "INBOX_PREFETCH", Integer.toString(PREFETCH),
                "INBOX_BATCH_SIZE", Integer.toString(BATCH_SIZE),
                "INBOX_WORKERS", Integer.toString(PARTITIONS),
                // a queue the broker lost is caught up by a replay, as fast as replays go
                "INBOX_CATCH_UP", RecordingInboxConsumer.NAME,
                "OUTBOX_REPLAY_DEFAULT_RATE", "20000",
                // short, so the catch-up replay, which waits one lease, starts soon
                "OUTBOX_DISPATCH_LEASE", DISPATCH_LEASE.toSeconds() + "s",
                "OUTBOX_BROKER_CONFIRM_TIMEOUT", "2s"), war);
        ensureServerRunning();
    }

    /** A test that fails with the broker link stalled must not leave it stalled for the next one. */
    @AfterEach
    void resumeBrokerLink() {
        broker.resume();
    }

    @AfterAll
    void stopServer() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            broker.close();
        }
    }

    /**
     * A backlog that waits while the consumer is cut off is applied up to a batch size at a time:
     * the rows one transaction wrote ({@code inbox_applied}'s row of the ids it applied in order,
     * {@code inbox_message}'s rows of any it decided one by one) share its id ({@code xmin}), so the
     * number of distinct ids is the number of transactions that applied the stream.
     */
    @Test
    void aBacklogIsAppliedABatchPerTransaction() throws Exception {
        ensureServerRunning();
        Stream.awaitQueueDrained();
        broker.close();
        Stream stream;
        try {
            stream = Stream.publish("backlog");
        } finally {
            broker.open();
        }
        stream.verify("none (a backlog applied after a reconnection)", "");
        Map<UUID, String> aggregateOf = new HashMap<>();
        stream.events.forEach(event -> aggregateOf.put(event.eventId(), event.aggregateId()));
        Map<String, Set<Integer>> partitionsPerTransaction = new HashMap<>();
        try (java.sql.Connection connection = Database.connect(); PreparedStatement rows = connection.prepareStatement("""
                SELECT xmin::text, message_id FROM inbox_message WHERE consumer = ? AND aggregate_id LIKE ?
                UNION ALL
                SELECT b.xmin::text, i.id FROM inbox_applied b CROSS JOIN unnest(b.message_ids) AS i(id)
                 WHERE b.consumer = ? AND i.id = ANY (CAST(? AS uuid[]))""")) {
            rows.setString(1, RecordingInboxConsumer.NAME);
            rows.setString(2, stream.prefix + "%");
            rows.setString(3, RecordingInboxConsumer.NAME);
            rows.setString(4, Database.uuidArray(aggregateOf.keySet()));
            try (ResultSet row = rows.executeQuery()) {
                while (row.next()) {
                    String aggregate = aggregateOf.get(row.getObject(2, UUID.class));
                    if (aggregate != null) { // not the stream's (a sentinel published by the test)
                        partitionsPerTransaction.computeIfAbsent(row.getString(1), xid -> new HashSet<>())
                                .add(InboxListener.partitionOf(AGGREGATE_TYPE, aggregate, PARTITIONS));
                    }
                }
            }
        }
        long transactions = partitionsPerTransaction.size();
        System.out.println(String.format("INBOX BATCHES: %d events applied in %d transactions (batch size %d)",
                stream.size(), transactions, BATCH_SIZE));
        assertTrue(transactions * 10 <= stream.size(), stream.size() + " events took " + transactions + " transactions");
        // each transaction decided the aggregates of one partition, and every partition took part
        List<Set<Integer>> mixed = partitionsPerTransaction.values().stream().filter(partitions -> partitions.size() > 1).toList();
        assertEquals(List.of(), mixed, "transactions that decided aggregates of more than one partition");
        Set<Integer> seen = new HashSet<>();
        partitionsPerTransaction.values().forEach(seen::addAll);
        assertEquals(PARTITIONS, seen.size(), "partitions that applied events");
    }

    /** The consumer's server, killed, then started again: what it committed and had not acknowledged comes again and is ignored. */
    @Test
    void serverKilledBetweenCommitAndAcknowledgementIgnoresTheRedeliveries() throws Exception {
        ensureServerRunning();
        Stream stream = Stream.publish("kill-9");
        stream.awaitApplied(stream.size() / 5);
        // From here no acknowledgement reaches the broker, while the server goes on applying what
        // it has prefetched: every event applied from now on is committed and not acknowledged.
        stallWhileTheServerApplies(stream);
        server.kill();
        serverRunning = false;
        broker.close(); // drops the acknowledgements the proxy holds
        long redelivered = stream.committedNotAcknowledged();
        broker.open();
        ensureServerRunning();
        stream.verify("server killed (kill -9) and started again", "committed but not acknowledged at the kill: "
                + redelivered);
        assertTrue(redelivered > 0, "the kill came between commit and acknowledgement of some events");
    }

    /**
     * Stalls the server's broker link at a moment it still holds deliveries to apply, seen by an
     * effect applied after the stall. A stall that finds it holding none (it had applied all it
     * was sent, or was waiting on the broker) leaves it applying nothing: the link is resumed, and
     * stalled again once the server has applied more, up to three times.
     */
    private void stallWhileTheServerApplies(Stream stream) throws Exception {
        for (int attempt = 1; ; attempt++) {
            broker.stall();
            long appliedAtStall = stream.applied();
            try {
                await("kill-9: an effect applied after the stall").atMost(ofSeconds(10)).pollInterval(ofMillis(50))
                        .until(stream::applied, applied -> applied > appliedAtStall);
                return;
            } catch (ConditionTimeoutException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.out.printf("INBOX FAULT kill-9: nothing applied within 10 s of stall %d (at %d effects); stalling again%n",
                        attempt, appliedAtStall);
                broker.resume();
                stream.awaitApplied(Math.min(stream.size(), stream.applied() + 1));
            }
        }
    }

    @Test
    void brokerRestartMidStreamKeepsEffectsExactAndInOrder() throws Exception {
        ensureServerRunning();
        Stream stream = Stream.publish("broker-restart");
        stream.awaitApplied(stream.size() / 5);
        try {
            Rabbitmqctl.run("stop_app");
        } finally {
            Rabbitmqctl.run("start_app");
        }
        stream.verify("broker restart (stop_app, start_app) mid-stream", "applied before the restart: "
                + stream.size() / 5 + "+");
    }

    @Test
    void brokerConnectionCutMidStreamKeepsEffectsExactAndInOrder() throws Exception {
        ensureServerRunning();
        Stream stream = Stream.publish("connection-cut");
        stream.awaitApplied(stream.size() / 5);
        long redelivered;
        try {
            broker.close();
            redelivered = stream.committedNotAcknowledged();
        } finally {
            broker.open();
        }
        stream.verify("broker connection cut mid-stream and restored", "committed but not acknowledged at the cut: "
                + redelivered);
    }

    /**
     * The broker loses its definitions while the server is cut off from it (the exchange and the
     * consumer's queue deleted, as a reset broker or a new node without its data has none). When
     * the link is back, the server's connections recover and declare the exchange again before
     * their queues and bindings: once the inbox consumes again, events recorded through the
     * server's outbox are published (not refused for a missing exchange) and reach the inbox
     * through its recovered queue and binding, each applied once, in order. The inbox finds its
     * queue gone at the recovery, says so, and (the consumer is listed in {@code inbox.catch-up})
     * requests a catch-up replay of its event types, whose redeliveries it recognizes. The
     * definitions are restored whatever happens, and a server whose inbox did not recover is
     * restarted for the next scenario.
     */
    @Test
    void brokerThatLostItsDefinitionsGetsTheExchangeQueueAndBindingBackFromTheRecoveringServer() throws Exception {
        ensureServerRunning();
        Stream.awaitQueueDrained();
        String prefix = "inbox-fault-definitions-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int events = 400;
        String started = Database.text("SELECT clock_timestamp()::text"); // the database's clock, as requested_at
        // the latest catch-up requested since the start, 'deferred' while it waits to be taken
        String catchUp = "SELECT CASE WHEN status = 'running' AND started_at IS NULL"
                + " AND lease_until > clock_timestamp() THEN 'deferred' ELSE status END FROM outbox_replay"
                + " WHERE queue = ? AND requested_by = 'inbox catch-up' AND requested_at > ?::timestamptz"
                + " ORDER BY requested_at DESC LIMIT 1";
        UUID inFlight = UUID.randomUUID();
        UUID inFlightToken = UUID.randomUUID();
        try {
            broker.close();
            try (Connection connection = TestServices.brokerConnectionFactory().newConnection("edupulse-test-definitions");
                 Channel channel = connection.createChannel()) {
                channel.queueDelete(QUEUE);
                channel.exchangeDelete(BrokerProbe.EXCHANGE);
                claimedByAnotherInstance(inFlight, inFlightToken, prefix + "in-flight");
            } finally {
                broker.open();
            }
            // the queue comes back with the inbox's consumer (recovered after the queue and its bindings)
            await("the inbox consumes its recovered queue").atMost(ofMinutes(1)).pollInterval(ofMillis(100))
                    .ignoreExceptions().until(() -> Stream.queue().getConsumerCount() > 0);
            // The other instance published the in-flight event while the queue was gone, so it never
            // reached it; its confirm comes, and it is settled, only after the catch-up was requested.
            // A catch-up that read the history at once would be done by then, without it.
            String state = await("the catch-up replay requested and waiting, or done").atMost(ofMinutes(2))
                    .pollInterval(ofMillis(50)).until(() -> Database.text(catchUp, QUEUE, started),
                            s -> "deferred".equals(s) || "done".equals(s));
            assertEquals(1, Database.execute("UPDATE outbox_event SET dispatched_at = clock_timestamp(), lease_owner = NULL,"
                    + " lease_token = NULL, lease_until = NULL WHERE id = ? AND lease_token = ? AND dispatched_at IS NULL",
                    inFlight, inFlightToken), "the in-flight event settled by the instance that claimed it (not found:"
                    + " the inbox took longer to recover than that claim's lease, and the server took the event over)");
            System.out.println("INBOX FAULT definitions: the in-flight event settled with the catch-up replay " + state);
            HttpResponse<String> recorded = new Http(server.base()).post("api/test/events?type=inbox_fault&prefix="
                    + prefix.substring(0, prefix.length() - 1) + "&routingKey=" + EVENT_TYPE + "&count=" + events
                    + "&aggregates=20&perTransaction=50&payloadBytes=0", null);
            assertEquals(200, recorded.statusCode(), recorded.body());
            List<ContractPublisher.Published> published = new ArrayList<>();
            try (java.sql.Connection connection = Database.connect(); PreparedStatement select = connection.prepareStatement(
                    "SELECT id, aggregate_id, aggregate_seq FROM outbox_event WHERE aggregate_id LIKE ?")) {
                select.setString(1, prefix + "%");
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        published.add(new ContractPublisher.Published(rows.getObject(1, UUID.class), rows.getString(2),
                                rows.getLong(3)));
                    }
                }
            }
            assertEquals(events + 1, published.size(), "events recorded through the outbox, and the in-flight one");
            await("the inbox's catch-up replay to its lost queue, requested and done").atMost(ofMinutes(2))
                    .pollInterval(ofMillis(200)).until(() -> Database.text(catchUp, QUEUE, started), "done"::equals);
            assertTrue(Files.readString(server.serverLog()).contains("Inbox queue " + QUEUE + " was gone when the broker"
                    + " connection recovered"), "the lost queue is reported in " + server.serverLog());
            new Stream("definitions-lost", prefix, published).verify("broker lost its definitions (exchange, queue)",
                    "recorded through the server's outbox after the recovery; unroutable: "
                            + Database.single("SELECT count(*) FROM outbox_event WHERE aggregate_id LIKE ? AND unroutable",
                            prefix + "%"));
        } finally {
            try {
                Database.execute("DELETE FROM outbox_event WHERE id = ? AND dispatched_at IS NULL", inFlight);
            } finally {
                restoreDefinitions();
            }
            boolean consuming;
            try {
                consuming = Stream.queue().getConsumerCount() > 0;
            } catch (Exception e) {
                consuming = false;
            }
            if (!consuming) {
                server.kill(); // its inbox did not recover: the next scenario starts it again
                serverRunning = false;
            }
        }
    }

    /**
     * An event of a new aggregate, pending and leased as by another instance's claim of a moment
     * ago, with a lease three times the server's, so the server's dispatcher leaves it alone
     * until the test settles it, and the catch-up must wait for a lease longer than its own.
     */
    private static void claimedByAnotherInstance(UUID id, UUID token, String aggregateId) throws Exception {
        assertEquals(1, Database.execute("INSERT INTO outbox_event (id, aggregate_type, aggregate_id, event_type, payload,"
                        + " lease_owner, lease_token, lease_until) VALUES (?, 'inbox_fault', ?, ?, '{}', gen_random_uuid(), ?,"
                        + " clock_timestamp() + make_interval(secs => ?))", id, aggregateId, EVENT_TYPE, token,
                3 * DISPATCH_LEASE.toSeconds()));
    }

    /** The exchange, the recorder's queue and its binding, as the server declares them (idempotent). */
    private static void restoreDefinitions() throws Exception {
        try (Connection connection = TestServices.brokerConnectionFactory().newConnection("edupulse-test-definitions");
             Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(BrokerProbe.EXCHANGE, BuiltinExchangeType.TOPIC, true);
            channel.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
            channel.queueBind(QUEUE, BrokerProbe.EXCHANGE, RecordingInboxConsumer.ROUTING_KEY_PREFIX + "#");
        }
    }

    /**
     * A second instance consumes the same queues (reaching the broker directly). The queue's single
     * active consumer is the first instance: while its broker link is stalled nothing more is
     * applied; it is then killed, and the second instance takes over the stream, the first one's
     * unacknowledged deliveries included.
     */
    @Test
    void twoInstancesApplyEachEventOnceInOrderAndTheSecondTakesOverFromAKilledFirst() throws Exception {
        ensureServerRunning();
        try (ServerInstance second = ServerInstance.of("inbox-faults-b", 200, Map.of(), war)) {
            second.start();
            Stream stream = Stream.publish("two-instances");
            stream.awaitApplied(stream.size() / 5);
            broker.stall();
            long appliedByFirst = stream.awaitSettled();
            assertTrue(appliedByFirst < stream.size(),
                    "with the first instance's broker link stalled, the second instance applied nothing (single active consumer)");
            server.kill();
            serverRunning = false;
            broker.close();
            broker.open();
            stream.verify("two instances, the active one killed mid-stream", "applied by the first before its kill: "
                    + appliedByFirst + ", the rest by the second");
        }
    }

    private void ensureServerRunning() throws Exception {
        if (!serverRunning) {
            server.start();
            serverRunning = true;
        }
    }

    /** One scenario's events: published at once, then followed in {@code inbox_test_effect}. */
    private static final class Stream {

        private final String name;
        private final String prefix;
        private final List<ContractPublisher.Published> events;
        private final long started = System.nanoTime();

        private Stream(String name, String prefix, List<ContractPublisher.Published> events) {
            this.name = name;
            this.prefix = prefix;
            this.events = events;
        }

        static Stream publish(String name) throws Exception {
            awaitQueueDrained();
            String prefix = "inbox-fault-" + name + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
            List<String> aggregates = new ArrayList<>();
            for (int a = 0; a < AGGREGATES; a++) {
                aggregates.add(prefix + a);
            }
            try (ContractPublisher publisher = new ContractPublisher()) {
                return new Stream(name, prefix, publisher.publishStream(AGGREGATE_TYPE, aggregates, PER_AGGREGATE, EVENT_TYPE));
            }
        }

        int size() {
            return events.size();
        }

        long applied() throws Exception {
            return Database.single("SELECT count(*) FROM inbox_test_effect WHERE aggregate_id LIKE ?", prefix + "%");
        }

        void awaitApplied(long count) {
            await(name + ": " + count + " effects").atMost(ofMinutes(2)).pollInterval(ofMillis(50))
                    .until(this::applied, applied -> applied >= count);
        }

        /** Waits until the number of effects stops moving; returns it. */
        long awaitSettled() {
            AtomicLong previous = new AtomicLong(-1);
            return await(name + ": effects settle").atMost(ofSeconds(30)).pollInterval(ofMillis(300))
                    .until(this::applied, applied -> previous.getAndSet(applied) == applied);
        }

        /**
         * With the consumer gone from the queue: the events whose effects are committed but whose
         * acknowledgement never reached the broker (applied minus acknowledged, where acknowledged
         * is what the queue no longer holds). These come again.
         */
        long committedNotAcknowledged() throws Exception {
            await(name + ": the broker sees no consumer").atMost(ofSeconds(30)).pollInterval(ofMillis(100))
                    .until(() -> queue().getConsumerCount() == 0);
            long applied = awaitSettled();
            long acknowledged = events.size() - queue().getMessageCount();
            return applied - acknowledged;
        }

        /**
         * Waits for every effect, then for a sentinel published after them (so whatever the
         * queue still held before it, redeliveries included, has been taken); prints and asserts
         * lost, duplicated and per-aggregate order.
         */
        void verify(String fault, String detail) throws Exception {
            awaitApplied(events.size());
            String sentinel = prefix + "sentinel";
            try (ContractPublisher publisher = new ContractPublisher()) {
                publisher.publish(UUID.randomUUID(), AGGREGATE_TYPE, sentinel, 1, EVENT_TYPE, "{}");
            }
            await(name + ": the sentinel applied").atMost(ofMinutes(2)).pollInterval(ofMillis(100))
                    .until(() -> Database.single("SELECT count(*) FROM inbox_test_effect WHERE aggregate_id = ?", sentinel) == 1);
            List<String> appliedIds = new ArrayList<>();
            Map<String, List<Long>> seqsPerAggregate = new HashMap<>();
            try (java.sql.Connection connection = Database.connect(); PreparedStatement select = connection.prepareStatement(
                    "SELECT message_id, aggregate_id, aggregate_seq FROM inbox_test_effect"
                            + " WHERE aggregate_id LIKE ? AND aggregate_id <> ? ORDER BY applied_order")) {
                select.setString(1, prefix + "%");
                select.setString(2, sentinel);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        appliedIds.add(rows.getString(1));
                        seqsPerAggregate.computeIfAbsent(rows.getString(2), a -> new ArrayList<>()).add(rows.getLong(3));
                    }
                }
            }
            Set<String> expected = new HashSet<>();
            events.forEach(event -> expected.add(event.eventId().toString()));
            Set<String> distinct = new HashSet<>(appliedIds);
            Set<String> lost = new HashSet<>(expected);
            lost.removeAll(distinct);
            int duplicated = appliedIds.size() - distinct.size();
            List<String> outOfOrder = new ArrayList<>();
            seqsPerAggregate.forEach((aggregate, seqs) -> {
                for (int i = 1; i < seqs.size(); i++) {
                    if (seqs.get(i) <= seqs.get(i - 1)) {
                        outOfOrder.add(aggregate + " " + seqs);
                        return;
                    }
                }
            });
            System.out.println(String.format("INBOX FAULT %s: events=%d lost=%d duplicated=%d out-of-order aggregates=%d (%s) time=%.1fs",
                    fault, events.size(), lost.size(), duplicated, outOfOrder.size(), detail, (System.nanoTime() - started) / 1e9));
            assertEquals(Set.of(), lost, fault + ": lost effects");
            assertEquals(0, duplicated, fault + ": duplicated effects");
            assertEquals(List.of(), outOfOrder, fault + ": per-aggregate order");
            assertEquals(new HashSet<>(expected), distinct, fault + ": only the stream's events");
        }

        /** The recorder's queue as the broker sees it now (ready messages, consumers). */
        private static AMQP.Queue.DeclareOk queue() throws Exception {
            ConnectionFactory factory = TestServices.brokerConnectionFactory();
            try (Connection connection = factory.newConnection("edupulse-test-queue-probe");
                 Channel channel = connection.createChannel()) {
                return channel.queueDeclarePassive(QUEUE);
            }
        }

        /** Nothing of an earlier test is still waiting in the queue (the server consumes it). */
        private static void awaitQueueDrained() {
            await("the recorder's queue drained").atMost(ofMinutes(2)).pollInterval(ofMillis(200))
                    .until(() -> queue().getMessageCount() == 0);
        }
    }
}
