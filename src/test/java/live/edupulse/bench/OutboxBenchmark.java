package live.edupulse.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ConfirmListener;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.dispatch.ClaimDesignCost;
import live.edupulse.outbox.dispatch.ClaimedEvent;
import live.edupulse.outbox.dispatch.MessageEnvelope;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.RecordingInboxConsumer;
import live.edupulse.outbox.testing.ServerInstance;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import live.edupulse.outbox.testing.WildFlyInstance;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

/**
 * The performance benchmark: not a test, it prints a table and fails only if something breaks
 * (never on a threshold). Run with {@code mvn verify -Pbench} (sizes scale with
 * {@code -Dbench.scale}, default 1.0). A WildFly started by the benchmark (port offset 300, then a
 * second one at 400), the local PostgreSQL and RabbitMQ.
 */
class OutboxBenchmark {

    private static final double SCALE = Double.parseDouble(System.getProperty("bench.scale", "1.0"));
    private static final int PAYLOAD_BYTES = 600;
    private static final List<String[]> TABLE = new ArrayList<>();
    /**
     * {@code all} (default), {@code tracing}: only the tracing off/on comparison, {@code inbox}:
     * only the inbox's applied rate against the raw consume rate, {@code shapes}: drains of four
     * backlog shapes with their database cost, {@code latency}: commit-to-confirm at four rates, or
     * {@code business}: business calls with and without their events, with round trips per call, or
     * {@code claim-designs}: the database's cost per drained event of today's claim, of partition
     * ownership's and of one claim row per batch, without a server, or {@code patterns}: the raw publisher's rate when it
     * publishes as the dispatcher's lanes do, with and without pipelining, against its usual window.
     */
    private static final String PHASES = System.getProperty("bench.phases", "all");
    private static final int OTLP_SINK_PORT = 4319;
    private static final String INBOX_AGGREGATE_TYPE = "bench_inbox";
    private static final String INBOX_QUEUE = "edupulse." + RecordingInboxConsumer.NAME;
    /** The start of the name of the server's inbox connection, which {@link QueueHold} has the broker close. */
    private static final String INBOX_CONNECTION = "edupulse-inbox";
    private static final int INBOX_PREFETCH = 1000;
    private static final int DATABASE_PROXY = 29731;
    private static final String BUSINESS_CALL = "api/test/events/business?routingKey=bench.business&events=";

    @Test
    void benchmark() throws Exception {
        Path war = Path.of(System.getProperty("jboss.home")).getParent().resolve("bench.war");
        Deployments.outbox().addClass(NoOpInboxConsumer.class).as(ZipExporter.class).exportTo(war.toFile(), true);
        Map<String, String> env = new HashMap<>(Map.of("OUTBOX_RETENTION_ENABLED", "false"));
        // -Dbench.env=INBOX_BATCH_SIZE=500,OUTBOX_DISPATCH_LANES=4: settings of the servers under test
        for (String setting : System.getProperty("bench.env", "").split(",")) {
            if (!setting.isBlank()) {
                String[] pair = setting.split("=", 2);
                env.put(pair[0].trim(), pair[1].trim());
            }
        }
        vacuum();
        switch (PHASES) {
            case "inbox" -> alone(() -> inboxVersusRawConsume(war, env));
            case "tracing" -> alone(() -> tracingOffAndOn(war, env));
            case "shapes" -> alone(() -> onOneServer(war, env, OutboxBenchmark::backlogShapes));
            case "latency" -> alone(() -> onOneServer(war, env, OutboxBenchmark::latencyAtRates));
            case "business" -> alone(() -> businessCostThroughCountingProxy(war, env));
            case "claim-designs" -> alone(OutboxBenchmark::claimDesigns);
            case "patterns" -> alone(OutboxBenchmark::publishingPatterns);
            default -> alone(() -> all(war, env));
        }
    }

    /** A part of the benchmark. */
    @FunctionalInterface
    private interface Phase {
        void run() throws Exception;
    }

    /** A measurement on one server of its own. */
    @FunctionalInterface
    private interface OnServer {
        void run(ServerInstance server) throws Exception;
    }

    /** Runs {@code phase}, then prints the table and deletes the benchmark's rows, whatever happened. */
    private static void alone(Phase phase) throws Exception {
        try {
            phase.run();
        } finally {
            printTable();
            deleteBenchmarkRows();
        }
    }

    private static void onOneServer(Path war, Map<String, String> env, OnServer measurement) throws Exception {
        try (WildFlyInstance one = new WildFlyInstance("bench-1", 300, env, war)) {
            one.start();
            measurement.run(one);
        }
    }

    /** The default: every measurement. */
    private static void all(Path war, Map<String, String> env) throws Exception {
        try (WildFlyInstance one = new WildFlyInstance("bench-1", 300, env, war)) {
            one.start();
            // latency first, on a fresh server: its histogram's max then covers only this load
            latency(one, 200);
            latency(one, 1_000);
            businessCost(one);
            int drainEvents = scaled(100_000);
            double raw = rawBrokerRate(drainEvents);
            row("raw broker: publish + confirm, persistent, mandatory, 600 B, 1,000 in flight", "%,.0f msg/s", raw);
            Map<String, Long> cpuBefore = cpuTicks(one);
            long cpuStarted = System.nanoTime();
            double wide = drain(List.of(one), drainEvents, 1_000, "1,000 aggregates");
            row("machine CPU during that drain (recording included)", "%s", cpuShares(cpuBefore, cpuTicks(one), cpuStarted));
            row("outbox drain, " + String.format("%,d", drainEvents) + " events over 1,000 aggregates", "%,.0f events/s (%.2f of raw)", wide, wide / raw);
            double narrow = drain(List.of(one), drainEvents, 10, "10 aggregates");
            row("outbox drain, " + String.format("%,d", drainEvents) + " events over 10 aggregates", "%,.0f events/s (%.2f of raw)", narrow, narrow / raw);
            try (WildFlyInstance two = new WildFlyInstance("bench-2", 400, env, war)) {
                two.start();
                // a fresh JVM compiles its hot paths during its first drains: measure it warm, as the first
                drain(List.of(one, two), scaled(20_000), 1_000, "two instances, warm-up");
                double both = drain(List.of(one, two), drainEvents, 1_000, "two instances");
                row("outbox drain with two instances, 1,000 aggregates", "%,.0f events/s (one instance: %,.0f)", both, wide);
            }
            memory(one, scaled(1_000_000));
        }
        tracingOn(war, env, drainEventsOf());
        inboxVersusRawConsume(war, env);
    }

    private static int drainEventsOf() {
        return scaled(100_000);
    }

    /** Leaves the shared database as it was: the benchmark's rows go. */
    private static void deleteBenchmarkRows() throws Exception {
        if (Database.single("SELECT count(*) FROM pg_class WHERE oid = to_regclass('outbox_event')") == 0) {
            return;
        }
        try (var connection = Database.connect(); var delete = connection.prepareStatement(
                "DELETE FROM outbox_event WHERE aggregate_type LIKE 'bench\\_%' OR aggregate_type = 'nudge'")) {
            delete.executeUpdate();
        }
        try (var connection = Database.connect(); var statement = connection.createStatement()) {
            statement.execute("DELETE FROM learning_submission WHERE answer = 'benchmark'");
            statement.execute("DELETE FROM learning_pulse WHERE title = 'benchmark'");
            if (Database.single("SELECT count(*) FROM pg_class WHERE oid = to_regclass('inbox_test_effect')") == 1) {
                statement.execute("DELETE FROM inbox_message WHERE aggregate_type = '" + INBOX_AGGREGATE_TYPE + "'");
                statement.execute("DELETE FROM inbox_aggregate WHERE aggregate_type = '" + INBOX_AGGREGATE_TYPE + "'");
                statement.execute("DELETE FROM inbox_applied WHERE consumer IN ('" + RecordingInboxConsumer.NAME + "', '"
                        + NoOpInboxConsumer.NAME + "')");
                statement.execute("DELETE FROM inbox_test_effect WHERE aggregate_id LIKE 'bench-inbox-%'");
            }
        }
        vacuum();
    }

    /**
     * {@code -Dbench.phases=tracing}: the business call and the 1,000-aggregate drain on a server
     * with tracing off (the default) and on a second one with it on, side by side.
     */
    private static void tracingOffAndOn(Path war, Map<String, String> env) throws Exception {
        double raw = rawBrokerRate(drainEventsOf());
        row("raw broker: publish + confirm, persistent, mandatory, 600 B, 1,000 in flight", "%,.0f msg/s", raw);
        try (WildFlyInstance off = new WildFlyInstance("bench-1", 300, env, war)) {
            off.start();
            businessCost(off);
            double drained = drain(List.of(off), drainEventsOf(), 1_000, "tracing off");
            row("tracing off: outbox drain, 1,000 aggregates", "%,.0f events/s (%.2f of raw)", drained, drained / raw);
        }
        tracingOn(war, env, drainEventsOf());
    }

    /**
     * The same business call and drain on a server with tracing on (the standard switch,
     * {@code OTEL_SDK_DISABLED=false}, every span sampled and exported over OTLP/HTTP to a sink in
     * this JVM): what an operator pays for the spans.
     */
    private static void tracingOn(Path war, Map<String, String> env, int drainEvents) throws Exception {
        Map<String, String> traced = new HashMap<>(env);
        traced.put("OTEL_SDK_DISABLED", "false");
        traced.put("OTEL_TRACES_SAMPLER", "always_on");
        traced.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        traced.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + OTLP_SINK_PORT);
        traced.put("OTEL_METRICS_EXPORTER", "none");
        traced.put("OTEL_LOGS_EXPORTER", "none");
        try (OtlpSink sink = OtlpSink.start(OTLP_SINK_PORT);
             WildFlyInstance on = new WildFlyInstance("bench-traced", 500, traced, war)) {
            on.start();
            Http http = new Http(on.base());
            double without = callsPerSecond(http, BUSINESS_CALL + 0);
            double with = callsPerSecond(http, BUSINESS_CALL + 1);
            row("tracing on: business call without / with its event", "%,.0f / %,.0f calls/s (%.2f of without)",
                    without, with, with / without);
            double drained = drain(List.of(on), drainEvents, 1_000, "tracing on");
            row("tracing on: outbox drain, 1,000 aggregates", "%,.0f events/s (%,d spans exported in all)",
                    drained, sink.spans());
        }
    }

    /**
     * Every run starts from the same state: the dead rows an earlier run (or test suite) left in
     * the outbox vacuumed away, as autovacuum keeps a table in steady use. Right after a drain of a
     * million rows, before autovacuum has passed, claims step over their dead index entries and
     * latency is several times higher (see docs/benchmarks.md). The {@code ANALYZE} of an almost empty
     * table is harmless since the claim's plan no longer depends on statistics ({@code ClaimPlanIT}).
     */
    private static void vacuum() throws Exception {
        if (Database.single("SELECT count(*) FROM pg_class WHERE oid = to_regclass('outbox_event')") == 0) {
            return; // a database the application has not migrated yet: the first server start creates the tables
        }
        try (var connection = Database.connect(); var statement = connection.createStatement()) {
            statement.execute("VACUUM (ANALYZE) outbox_event");
            statement.execute("VACUUM (ANALYZE) outbox_aggregate");
        }
    }

    /**
     * The inbox against the broker, three rounds on one WildFly (port offset 300): in each round the
     * raw consume rate of a durable quorum queue (a plain Java consumer, manual acknowledgement of
     * each message, prefetch 1,000 as the inbox's default, the same contract messages), then the
     * inbox's applied rate with the recording consumer as a trivial handler (one row per event),
     * then with a handler that does nothing: the events are published to the consumer's queue while
     * the benchmark holds it ({@link QueueHold}), and the rate is timed from the first effect after
     * the hold is released to the last. Printed per round with the ratio, then the median ratio; a
     * commit rate of PostgreSQL from this JVM beside them.
     */
    private static void inboxVersusRawConsume(Path war, Map<String, String> env) throws Exception {
        int events = scaled(20_000);
        try (WildFlyInstance server = new WildFlyInstance("bench-inbox", 300, env, war)) {
            server.start();
            try (var connection = Database.connect(); var statement = connection.createStatement()) {
                statement.execute(RecordingInboxConsumer.TABLES);
                for (String table : List.of("inbox_message", "inbox_aggregate", "inbox_applied", "inbox_test_effect")) {
                    statement.execute("VACUUM (ANALYZE) " + table);
                }
            }
            inboxRate(server, scaled(2_000), 100, "warm-up");
            noOpRate(server, scaled(2_000), 100, "warm-up");
            rawConsumeRate(events, server, null); // the raw consumer warms up as the server did: its first run is slower
            List<Double> ratios = new ArrayList<>();
            List<Double> noOpRatios = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                String[] rawCpu = new String[1];
                double raw = rawConsumeRate(events, server, rawCpu);
                row("inbox, round " + round + ": CPU per message, raw consume", "%s", rawCpu[0]);
                Map<String, Long> cpuBefore = cpuTicks(server);
                long cpuStarted = System.nanoTime();
                double applied = inboxRate(server, events, 1_000, "round " + round);
                String cpu = cpuShares(cpuBefore, cpuTicks(server), cpuStarted);
                ratios.add(applied / raw);
                row("inbox, round " + round + ": raw consume of a quorum queue (manual acks, prefetch " + INBOX_PREFETCH
                        + ") / inbox applied, " + String.format("%,d", events) + " events over 1,000 aggregates",
                        "%,.0f / %,.0f msg/s (%.3f of raw); CPU while applying: %s", raw, applied, applied / raw, cpu);
                Map<String, Long> noOpCpuBefore = cpuTicks(server);
                long noOpStarted = System.nanoTime();
                String[] noOpApplyCpu = new String[1];
                double noOp = noOpRate(server, events, 1_000, "round " + round, noOpApplyCpu);
                String noOpCpu = cpuShares(noOpCpuBefore, cpuTicks(server), noOpStarted);
                noOpRatios.add(noOp / raw);
                row("inbox, round " + round + ": the same with a handler that does nothing", "%,.0f msg/s (%.3f of raw);"
                        + " CPU from publishing to the last applied: %s", noOp, noOp / raw, noOpCpu);
                row("inbox, round " + round + ": CPU per event, no-op handler (from the first applied to the last)",
                        "%s", noOpApplyCpu[0]);
            }
            row("inbox applied rate as a ratio of raw consume, three rounds, recording handler (one SELECT, one INSERT)",
                    "%.3f, %.3f, %.3f (median %.3f)", ratios.get(0), ratios.get(1), ratios.get(2), median(ratios));
            row("inbox applied rate as a ratio of raw consume, three rounds, handler that does nothing",
                    "%.3f, %.3f, %.3f (median %.3f)", noOpRatios.get(0), noOpRatios.get(1), noOpRatios.get(2),
                    median(noOpRatios));
            row("PostgreSQL from this JVM: one-row INSERT and commit, one connection", "%,.0f commits/s", commitRate(2_000));
        }
    }

    /**
     * A plain Java consumer of a durable quorum queue: {@code messages} contract messages
     * pre-published, consumed with manual acks. When {@code cpu} is given, its first element
     * receives the CPU per message of each kind of process during the consume.
     */
    private static double rawConsumeRate(int messages, ServerInstance server, String[] cpu) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        String queue = "bench.inbox-raw";
        try (Connection connection = factory.newConnection("bench-raw-consume")) {
            Channel channel = connection.createChannel();
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
            try {
                channel.queuePurge(queue);
                channel.queueBind(queue, "edupulse.events", "bench.inbox.raw");
                channel.confirmSelect();
                List<String> aggregates = new ArrayList<>();
                for (int a = 0; a < 1_000; a++) {
                    aggregates.add("bench-raw-" + a);
                }
                publishContract(channel, "bench.inbox.raw", aggregates, messages);
                Channel consumer = connection.createChannel();
                consumer.basicQos(INBOX_PREFETCH);
                CountDownLatch consumed = new CountDownLatch(messages);
                Map<String, Long> cpuBefore = cpuTicks(server);
                long started = System.nanoTime();
                consumer.basicConsume(queue, false, (tag, delivery) -> {
                    consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                    consumed.countDown();
                }, tag -> { });
                if (!consumed.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("raw consumer: " + consumed.getCount() + " messages not consumed");
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                if (cpu != null) {
                    cpu[0] = cpuPerEvent(cpuBefore, cpuTicks(server), messages, started);
                }
                System.out.printf("BENCH raw consume: %,d messages in %.2fs%n", messages, seconds);
                return messages / seconds;
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    /**
     * The inbox's applied rate: {@code events} published to the recorder's queue while the
     * benchmark holds it ({@link QueueHold}), then timed from the first effect after the hold is
     * released to the last.
     */
    private static double inboxRate(ServerInstance server, int events, int aggregates, String label)
            throws Exception {
        String prefix = "bench-inbox-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> aggregateIds = new ArrayList<>();
        for (int a = 0; a < aggregates; a++) {
            aggregateIds.add(prefix + a);
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        // the sequence, not max(applied_order): earlier runs' rows are deleted, their numbers are not reused
        long baseline = Database.single(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM inbox_test_effect_applied_order_seq");
        try (QueueHold hold = QueueHold.take(INBOX_QUEUE, INBOX_CONNECTION);
             Connection connection = factory.newConnection("bench-inbox-publisher")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            publishContract(channel, RecordingInboxConsumer.ROUTING_KEY_PREFIX + "bench", aggregateIds, events);
            hold.verifyHeld(events);
        }
        String progress = "SELECT coalesce(max(applied_order), 0) - ? FROM inbox_test_effect";
        long first;
        while ((first = Database.single(progress, baseline)) == 0) {
            Thread.sleep(10); // polling the effects table is the measurement
        }
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MINUTES.toNanos(10);
        while (Database.single(progress, baseline) < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the inbox did not apply " + events + " events within 10 minutes; see "
                        + server.serverLog());
            }
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long applied = Database.single("SELECT count(*) FROM inbox_test_effect WHERE aggregate_id LIKE ?", prefix + "%");
        if (applied != events) {
            throw new IllegalStateException("the inbox applied " + applied + " of " + events + " events");
        }
        System.out.printf("BENCH inbox (%s): %,d events applied in %.2fs after the first%n", label, events - first, seconds);
        return (events - first) / seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    /**
     * The inbox's applied rate with {@link NoOpInboxConsumer}: as {@link #inboxRate}, timed on the
     * rows of {@code inbox_applied} the round wrote (one per transaction, each with the time it was
     * written): from the first batch's to the last's, over the events of all batches but the first.
     */
    private static double noOpRate(ServerInstance server, int events, int aggregates, String label)
            throws Exception {
        return noOpRate(server, events, aggregates, label, null);
    }

    /** As above; when {@code cpu} is given, its first element receives the CPU per event from the first applied to the last. */
    private static double noOpRate(ServerInstance server, int events, int aggregates, String label,
                                   String[] cpu) throws Exception {
        String prefix = "bench-noop-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> aggregateIds = new ArrayList<>();
        for (int a = 0; a < aggregates; a++) {
            aggregateIds.add(prefix + a);
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        long walBefore;
        long roundStart;
        try (QueueHold hold = QueueHold.take("edupulse." + NoOpInboxConsumer.NAME, INBOX_CONNECTION);
             Connection connection = factory.newConnection("bench-noop-publisher")) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            publishContract(channel, NoOpInboxConsumer.ROUTING_KEY, aggregateIds, events);
            hold.verifyHeld(events);
            walBefore = walPosition();
            roundStart = Database.single("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
        }
        // applied events of this round, read from the aggregates' rows (1,000 primary-key entries):
        // their applied seqs run 1, 2, ... without gaps, so they sum to the events applied. Counting
        // inbox_message rows instead reads every row of the consumer's history at each poll, a CPU
        // cost of its own for the database under measurement.
        String progress = "SELECT coalesce(sum(last_applied_seq), 0) FROM inbox_aggregate WHERE consumer = '"
                + NoOpInboxConsumer.NAME + "' AND aggregate_type = '" + INBOX_AGGREGATE_TYPE + "' AND aggregate_id LIKE ?";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long appliedAtStart;
        while ((appliedAtStart = Database.single(progress, prefix + "%")) == 0) {
            deadline(deadline, events, server);
            Thread.sleep(5); // polling the aggregates is the measurement
        }
        Map<String, Long> cpuBefore = cpuTicks(server);
        long cpuStarted = System.nanoTime();
        while (Database.single(progress, prefix + "%") < events) {
            deadline(deadline, events, server);
            Thread.sleep(20); // polling the aggregates is the measurement
        }
        if (cpu != null) {
            cpu[0] = cpuPerEvent(cpuBefore, cpuTicks(server), (int) (events - appliedAtStart), cpuStarted);
        }
        // the times the inbox wrote its batches, first to last: the polling's own interval does not count
        String batches = " FROM inbox_applied WHERE consumer = '" + NoOpInboxConsumer.NAME + "'"
                + " AND applied_at >= to_timestamp(? / 1000000.0)";
        double seconds = Database.single("SELECT (extract(epoch FROM max(applied_at) - min(applied_at)) * 1000000)::bigint"
                + batches, roundStart) / 1e6;
        long afterFirst = Database.single("SELECT sum(cardinality(message_ids)) - (SELECT cardinality(message_ids)"
                + batches + " ORDER BY applied_at LIMIT 1)" + batches, roundStart, roundStart);
        if (afterFirst < events / 2) {
            throw new IllegalStateException("the round's inbox_applied rows hold " + afterFirst + " of " + events
                    + " events after the first batch: the no-op consumer's events were not applied in batches");
        }
        long wal = walPosition() - walBefore;
        System.out.printf("BENCH inbox, no-op handler (%s): %,d events applied in %.2fs after the first batch;"
                + " %,.0f WAL bytes per event%n", label, afterFirst, seconds, wal / (double) events);
        return afterFirst / seconds;
    }

    private static void deadline(long deadline, int events, ServerInstance server) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the inbox did not apply " + events + " events within 10 minutes; see "
                    + server.serverLog());
        }
    }

    /** Contract messages (schema version 1, payload {@code {}}) of the aggregates in turn, seq rising; waits for every confirm. */
    private static void publishContract(Channel channel, String routingKey, List<String> aggregates, int messages)
            throws Exception {
        for (int i = 0; i < messages; i++) {
            String aggregateId = aggregates.get(i % aggregates.size());
            long seq = i / aggregates.size() + 1;
            String eventId = UUID.randomUUID().toString();
            String body = "{\"eventId\":\"" + eventId + "\",\"aggregateType\":\"" + INBOX_AGGREGATE_TYPE
                    + "\",\"aggregateId\":\"" + aggregateId + "\",\"aggregateSeq\":" + seq + ",\"eventType\":\""
                    + routingKey + "\",\"occurredAt\":\"" + java.time.Instant.now() + "\",\"payload\":{}}";
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(eventId).type(routingKey)
                    .contentType("application/json").deliveryMode(2)
                    .headers(Map.of("aggregate_type", INBOX_AGGREGATE_TYPE, "aggregate_id", aggregateId, "aggregate_seq", seq))
                    .build();
            channel.basicPublish("edupulse.events", routingKey, true, properties, body.getBytes(StandardCharsets.UTF_8));
            if (i % 1_000 == 999) {
                channel.waitForConfirmsOrDie(60_000);
            }
        }
        channel.waitForConfirmsOrDie(60_000);
    }

    /** Single-row INSERTs, each its own transaction, on one connection: the commit rate a one-message-per-transaction consumer meets. */
    private static double commitRate(int commits) throws Exception {
        try (var connection = Database.connect(); var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS bench_commit_rate (id bigint)"); // logged: each commit flushes WAL
            try (var insert = connection.prepareStatement("INSERT INTO bench_commit_rate VALUES (?)")) {
                long started = System.nanoTime();
                for (int i = 0; i < commits; i++) {
                    insert.setLong(1, i);
                    insert.executeUpdate();
                }
                return commits / ((System.nanoTime() - started) / 1e9);
            } finally {
                statement.execute("DROP TABLE bench_commit_rate");
            }
        }
    }

    /** CPU ticks (user + system) so far, per kind of process, read from /proc. */
    private static Map<String, Long> cpuTicks(ServerInstance server) throws Exception {
        long self = ProcessHandle.current().pid();
        long wildfly = server == null ? -1 : server.javaPid(); // null: no server runs
        Map<String, Long> ticks = new HashMap<>();
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) processes::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(dir.resolve("stat"));
                } catch (java.io.IOException e) {
                    continue; // gone
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                long pid = Long.parseLong(name);
                String kind = pid == wildfly ? "WildFly" : pid == self ? "benchmark client"
                        : comm.startsWith("postgres") ? "PostgreSQL" : comm.startsWith("beam") ? "RabbitMQ" : "other";
                ticks.merge(kind, used, Long::sum);
            }
        }
        return ticks;
    }

    private static String cpuShares(Map<String, Long> before, Map<String, Long> after, long startedNanos) {
        double available = (System.nanoTime() - startedNanos) / 1e9 * 100 * Runtime.getRuntime().availableProcessors();
        StringBuilder shares = new StringBuilder();
        for (String kind : List.of("WildFly", "PostgreSQL", "RabbitMQ", "benchmark client", "other")) {
            long used = after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
            shares.append(shares.length() == 0 ? "" : ", ").append(kind).append(' ')
                    .append(Math.round(100 * used / available)).append('%');
        }
        return shares + " of " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /**
     * CPU time per event of each kind of process between two {@link #cpuTicks} readings (clock
     * ticks of 10 ms), and how busy the machine's cores were meanwhile. Unlike a rate, the time a
     * process spends per event hardly moves with the machine's noise.
     */
    private static String cpuPerEvent(Map<String, Long> before, Map<String, Long> after, int events, long startedNanos) {
        double available = (System.nanoTime() - startedNanos) / 1e9 * 100 * Runtime.getRuntime().availableProcessors();
        StringBuilder perEvent = new StringBuilder();
        long total = 0;
        for (String kind : List.of("WildFly", "PostgreSQL", "RabbitMQ", "benchmark client", "other")) {
            long used = after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
            total += used;
            perEvent.append(perEvent.length() == 0 ? "" : ", ").append(kind)
                    .append(String.format(" %.1f", used * 10_000.0 / events));
        }
        return String.format("%s; all %.1f microseconds; cores %.0f%% busy", perEvent, total * 10_000.0 / events,
                100 * total / available);
    }

    /** WildFly's and PostgreSQL's CPU time per call, in microseconds, between two {@link #cpuTicks} readings. */
    private static double serverCpuPerCall(Map<String, Long> before, Map<String, Long> after, long calls) {
        long used = 0;
        for (String kind : List.of("WildFly", "PostgreSQL")) {
            used += after.getOrDefault(kind, 0L) - before.getOrDefault(kind, 0L);
        }
        return used * 10_000.0 / calls;
    }

    private static int scaled(int events) {
        return Math.max(1_000, (int) Math.round(events * SCALE));
    }

    private static double rawBrokerRate(int messages) throws Exception {
        return rawBrokerRate(messages, false, false);
    }

    /**
     * Plain Java publisher, persistent, mandatory, confirms, at most 1,000 unconfirmed, to a queue
     * that is durable or (as the full run's older rows) server-named and exclusive. The message is
     * either a plain one (a body of the payload's size, a message id and a content type) or
     * {@code contractMessages}: the very message a dispatcher builds for a recorded event
     * ({@link MessageEnvelope#of}: the contract's body around the payload, its properties and headers).
     */
    private static double rawBrokerRate(int messages, boolean durableQueue, boolean contractMessages) throws Exception {
        return rawBrokerRate(messages, durableQueue, contractMessages, PublishingPattern.WINDOW);
    }

    /**
     * How a raw publisher sends: on {@code channels} channels at once (a thread each), in batches of
     * {@code batch} messages, each channel publishing a batch only while fewer than
     * {@code batchesInFlight} of its batches await their confirms.
     */
    private record PublishingPattern(String label, int channels, int batch, int batchesInFlight) {
        /** The reference: one channel, at most 1,000 messages unconfirmed, published one by one. */
        static final PublishingPattern WINDOW = new PublishingPattern("one channel, 1,000 unconfirmed", 1, 1, 1_000);
        /** The reference's window on two channels at once: what two channels change without batches. */
        static final PublishingPattern TWO_WINDOWS = new PublishingPattern("two channels, 500 unconfirmed each", 2, 1, 500);
        /** As a dispatcher's two lanes publish: each channel a batch of 500, then all its confirms. */
        static final PublishingPattern LANES = new PublishingPattern(
                "two channels, a batch of 500 each awaiting its confirms (as the dispatcher's lanes publish)", 2, 500, 1);
        /** Pipelined lanes: each channel publishes its next batch while the previous one's confirms arrive. */
        static final PublishingPattern PIPELINED_LANES = new PublishingPattern(
                "two channels, the next batch of 500 published while the previous one's confirms arrive", 2, 500, 2);
    }

    private static double rawBrokerRate(int messages, boolean durableQueue, boolean contractMessages,
                                        PublishingPattern pattern) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection connection = factory.newConnection("bench-raw")) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare("edupulse.events", BuiltinExchangeType.TOPIC, true);
            String queue = durableQueue ? "bench.raw." + UUID.randomUUID() : channel.queueDeclare().getQueue();
            if (durableQueue) {
                channel.queueDeclare(queue, true, false, false, null);
            }
            channel.queueBind(queue, "edupulse.events", "bench.raw");
            Channel consumer = connection.createChannel();
            consumer.basicConsume(queue, true, (tag, delivery) -> { }, tag -> { });
            String payload = "{\"payload\":\"" + "x".repeat(PAYLOAD_BYTES - 14) + "\"}";
            OutboundMessage message = contractMessages
                    ? MessageEnvelope.of(new ClaimedEvent(UUID.randomUUID(), "bench.raw", "bench.raw-" + UUID.randomUUID(),
                            1, "bench.raw", payload, "{}", Instant.now(), 0), "edupulse")
                    : new OutboundMessage("bench.raw", new AMQP.BasicProperties.Builder().deliveryMode(2)
                            .contentType("application/json").messageId(UUID.randomUUID().toString()).build(),
                            payload.getBytes(StandardCharsets.UTF_8), "", false);
            ExecutorService publishers = Executors.newFixedThreadPool(pattern.channels());
            try {
                long started = System.nanoTime();
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < pattern.channels(); c++) {
                    int share = messages / pattern.channels() + (c < messages % pattern.channels() ? 1 : 0);
                    running.add(publishers.submit(() -> {
                        publishInPattern(connection.createChannel(), pattern, share, message);
                        return null;
                    }));
                }
                for (Future<?> publisher : running) {
                    publisher.get();
                }
                double rate = messages / ((System.nanoTime() - started) / 1e9);
                if (durableQueue) {
                    channel.queueDelete(queue);
                }
                return rate;
            } finally {
                publishers.shutdownNow();
            }
        }
    }

    /** Publishes {@code messages} copies of {@code message} on {@code channel} as {@code pattern} says; returns when all are confirmed. */
    private static void publishInPattern(Channel channel, PublishingPattern pattern, int messages, OutboundMessage message)
            throws Exception {
        channel.confirmSelect();
        int window = pattern.batch() * pattern.batchesInFlight();
        Semaphore inFlight = new Semaphore(window);
        java.util.concurrent.ConcurrentSkipListSet<Long> outstanding = new java.util.concurrent.ConcurrentSkipListSet<>();
        channel.addConfirmListener(new ConfirmListener() {
            public void handleAck(long tag, boolean multiple) {
                release(tag, multiple);
            }

            public void handleNack(long tag, boolean multiple) {
                release(tag, multiple);
            }

            private void release(long tag, boolean multiple) {
                var confirmed = multiple ? outstanding.headSet(tag, true) : outstanding.subSet(tag, true, tag, true);
                int n = confirmed.size();
                confirmed.clear();
                inFlight.release(n);
            }
        });
        for (int published = 0; published < messages; ) {
            int batch = Math.min(pattern.batch(), messages - published);
            inFlight.acquire(batch);
            for (int i = 0; i < batch; i++) {
                outstanding.add(channel.getNextPublishSeqNo());
                channel.basicPublish("edupulse.events", "bench.raw", true, message.properties(), message.body());
            }
            published += batch;
        }
        inFlight.acquire(window);
        channel.close();
    }

    /** Records events with dispatch paused, resumes, and times the drain until every row is dispatched. */
    private static double drain(List<ServerInstance> servers, int events, int aggregates, String label) throws Exception {
        return drain(servers, events, aggregates, label, null);
    }

    /**
     * As {@link #drain(List, int, int, String)}; the consumer reads a durable queue. With
     * {@code cost}, the WAL of the recording and of the drain and the drain's row writes go there.
     */
    private static double drain(List<ServerInstance> servers, int events, int aggregates, String label, DrainCost cost)
            throws Exception {
        String type = "bench_" + UUID.randomUUID().toString().substring(0, 8);
        String routingKey = "bench.drain." + type;
        ConnectionFactory factory = new ConnectionFactory();
        try (Connection connection = factory.newConnection("bench-consumer")) {
            Channel channel = connection.createChannel();
            String queue = "bench.drain." + type;
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, "edupulse.events", routingKey);
            AtomicLong consumed = new AtomicLong();
            channel.basicConsume(queue, true, (tag, delivery) -> consumed.incrementAndGet(), tag -> { });
            setPaused(true);
            RowWrites rowWritesBefore;
            try {
                long walBefore = cost == null ? 0 : walPosition();
                record(servers.get(0), type, routingKey, events, aggregates);
                if (cost != null) {
                    cost.recordingWal = walPosition() - walBefore;
                }
                rowWritesBefore = cost == null ? null : outboxRowWrites();
            } finally {
                setPaused(false);
            }
            long walBefore = cost == null ? 0 : walPosition();
            Map<String, Long> cpuBefore = cost == null ? null : cpuTicks(servers.get(0));
            long started = System.nanoTime();
            for (ServerInstance server : servers) {
                new Http(server.base()).post("api/test/events?type=nudge&prefix=nudge&routingKey=bench.nudge&count=1&aggregates=1&perTransaction=1", null);
            }
            awaitDispatched(type, events, consumed);
            double seconds = (System.nanoTime() - started) / 1e9;
            if (cost != null) {
                cost.drainCpu = cpuPerEvent(cpuBefore, cpuTicks(servers.get(0)), events, started);
                cost.drainWal = walPosition() - walBefore;
                cost.drainRowWrites = outboxRowWrites().minus(rowWritesBefore);
            }
            System.out.printf("BENCH drain (%s): %,d events in %.2fs, consumer had %,d%n", label, events, seconds, consumed.get());
            channel.queueDelete(queue);
            return events / seconds;
        }
    }

    /**
     * Returns once none of the type's {@code events} rows is pending. The consumer's count comes
     * first: counting the pending rows reads every one of them (their pages are too new for an
     * index-only scan), so asking the table every 20 ms while 100,000 were pending kept PostgreSQL
     * busy reading the table the drain was writing, and most of what PostgreSQL did during a drain
     * was that count. The table is asked once a second until the consumer has every message (in case
     * one never arrives), then every 20 ms for the last settles.
     */
    private static void awaitDispatched(String type, int events, AtomicLong consumed) throws Exception {
        String pending = "SELECT count(*) FROM outbox_event WHERE aggregate_type = ? AND dispatched_at IS NULL";
        long nextTableCheck = System.nanoTime() + 1_000_000_000L;
        while (consumed.get() < events) {
            Thread.sleep(2); // the consumer's counter, in this JVM: no query
            if (System.nanoTime() > nextTableCheck) {
                if (Database.single(pending, type) == 0) {
                    return;
                }
                nextTableCheck = System.nanoTime() + 1_000_000_000L;
            }
        }
        while (Database.single(pending, type) > 0) {
            Thread.sleep(20);
        }
    }

    /**
     * Records {@code events} over {@code aggregates} aggregates, round-robin, in requests of at most
     * 20,000 events: with as many aggregates as events each aggregate gets one event; otherwise every
     * request spreads over the same {@code aggregates} (at most 20,000) aggregates.
     */
    private static void record(ServerInstance server, String type, String routingKey, int events, int aggregates) {
        int perRequest = 20_000;
        if (aggregates < events && aggregates > perRequest) {
            throw new IllegalArgumentException("at most " + perRequest + " aggregates unless one event each");
        }
        for (int done = 0; done < events; done += perRequest) {
            int count = Math.min(perRequest, events - done);
            String prefix = aggregates >= events ? type + "-" + done : type;
            HttpResponse<String> response = new Http(server.base()).post("api/test/events?type=" + type + "&prefix=" + prefix
                    + "&routingKey=" + routingKey + "&count=" + count + "&aggregates=" + Math.min(aggregates, count)
                    + "&perTransaction=500&payloadBytes=" + PAYLOAD_BYTES, null);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("recording failed: " + response.body());
            }
        }
    }

    private static void setPaused(boolean paused) throws Exception {
        try (var connection = Database.connect(); var update = connection.prepareStatement(
                "UPDATE outbox_control SET paused = ?, changed_by = 'benchmark', changed_at = now() WHERE id = 1")) {
            update.setBoolean(1, paused);
            update.executeUpdate();
        }
    }

    /** A backlog's shape: how many aggregates, how many events each. */
    private record Shape(String label, int aggregates, int eventsEach) {
        /** The four backlog shapes of {@code events} each: one event per aggregate, 1,000 aggregates, 10, one. */
        static List<Shape> backlogShapes(int events) {
            return List.of(
                    new Shape(String.format("%,d aggregates x 1", events), events, 1),
                    new Shape(String.format("1,000 aggregates x %,d", events / 1_000), 1_000, events / 1_000),
                    new Shape(String.format("10 aggregates x %,d", events / 10), 10, events / 10),
                    new Shape(String.format("1 aggregate x %,d", events), 1, events));
        }

        int events() {
            return aggregates * eventsEach;
        }
    }

    /**
     * {@code -Dbench.phases=shapes}: drains of four backlog shapes of 100,000 events (100,000
     * aggregates x 1, 1,000 x 100, 10 x 10,000, one aggregate x 100,000), three rounds, each drain
     * as a ratio of the raw publish rate measured in the same round; the raw publisher and the
     * drain's consumer both use a durable queue, as real consumers do. In the first round the
     * database's cost per event: WAL bytes ({@code pg_current_wal_lsn()}) of the recording and of
     * the drain, and row writes to the outbox's tables during the drain
     * ({@code pg_stat_user_tables}) - figures the machine's noise does not move.
     */
    private static void backlogShapes(ServerInstance server) throws Exception {
        int events = scaled(100_000);
        List<Shape> shapes = Shape.backlogShapes(events);
        drain(List.of(server), scaled(20_000), 1_000, "warm-up"); // a fresh JVM compiles its hot paths first
        rawBrokerRate(events, true, false); // and so does the raw publisher's: its first run is slower
        System.out.printf("BENCH WildFly's JVM: pid %d%n", server.javaPid());
        Map<String, List<Double>> ratios = new HashMap<>();
        Map<String, List<Double>> contractRatios = new HashMap<>();
        List<Double> raws = new ArrayList<>();
        List<Double> contractRaws = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            double raw = rawRound(server, events, false, round == 1 ? "CPU per message, raw broker" : null);
            double contractRaw = rawRound(server, events, true,
                    round == 1 ? "CPU per message, raw broker, the dispatcher's messages" : null);
            raws.add(raw);
            contractRaws.add(contractRaw);
            System.out.printf("BENCH round %d: raw broker (durable queue) %,.0f msg/s, with the dispatcher's messages %,.0f msg/s%n",
                    round, raw, contractRaw);
            for (Shape shape : shapes) {
                vacuum(); // as autovacuum would have by now: the earlier drains' dead index entries gone
                DrainCost cost = round == 1 ? new DrainCost() : null;
                double rate = drain(List.of(server), shape.events(), shape.aggregates(), shape.label(), cost);
                ratios.computeIfAbsent(shape.label(), k -> new ArrayList<>()).add(rate / raw);
                contractRatios.computeIfAbsent(shape.label(), k -> new ArrayList<>()).add(rate / contractRaw);
                System.out.printf("BENCH round %d: drain %s: %,.0f events/s (%.2f of raw, %.2f of raw with its messages)%n",
                        round, shape.label(), rate, rate / raw, rate / contractRaw);
                if (cost != null) {
                    row("database cost per event, " + shape.label(),
                            "recording %,.0f WAL bytes; drain %,.0f WAL bytes, %.2f row writes (%.0f%% of the event rows' updates HOT)",
                            cost.recordingWal / (double) shape.events(), cost.drainWal / (double) shape.events(),
                            cost.drainRowWrites.total() / (double) shape.events(), 100.0 * cost.drainRowWrites.hotShare());
                    row("CPU per event, drain " + shape.label(), "%s", cost.drainCpu);
                }
            }
        }
        row("raw broker, durable queue, three rounds", "%s msg/s", raws.stream().map(r -> String.format("%,.0f", r)).toList());
        row("raw broker, the dispatcher's messages, three rounds", "%s msg/s",
                contractRaws.stream().map(r -> String.format("%,.0f", r)).toList());
        Map<String, Map<String, List<Double>>> byReference = new LinkedHashMap<>();
        byReference.put("ratio of raw, three rounds", ratios);
        byReference.put("ratio of raw with the dispatcher's messages", contractRatios);
        byReference.forEach((reference, ratiosByShape) -> {
            for (Shape shape : shapes) {
                List<Double> ratio = ratiosByShape.get(shape.label());
                row("drain " + shape.label() + ", " + reference, "%s, median %.2f",
                        ratio.stream().map(r -> String.format("%.2f", r)).toList(), median(ratio));
            }
        });
    }

    /**
     * {@code -Dbench.phases=patterns}: the raw publisher of the dispatcher's own messages to a durable
     * queue with a consumer, publishing in four patterns ({@link PublishingPattern}): its usual
     * window, that window on two channels, the way the dispatcher's two lanes publish (a batch, then
     * its confirms), and those lanes pipelined (the next batch while the previous one's confirms
     * arrive). Three rounds with the patterns in turn (each round another first); rates, their
     * ratio to the window's in the same round, CPU per message.
     * No server: what publishing in batches costs the broker, apart from any dispatcher.
     */
    private static void publishingPatterns() throws Exception {
        int messages = scaled(100_000);
        List<PublishingPattern> patterns = List.of(PublishingPattern.WINDOW, PublishingPattern.TWO_WINDOWS,
                PublishingPattern.LANES, PublishingPattern.PIPELINED_LANES);
        rawBrokerRate(messages, true, true); // warm-up: the first run of a fresh JVM is slower
        Map<PublishingPattern, List<Double>> ratios = new HashMap<>();
        Map<PublishingPattern, List<Double>> rates = new HashMap<>();
        for (int round = 1; round <= 3; round++) {
            Map<PublishingPattern, Double> roundRates = new HashMap<>();
            for (PublishingPattern pattern : inTurn(patterns, round)) {
                RawRun run = rawRun(null, messages, true, pattern);
                roundRates.put(pattern, run.rate());
                System.out.printf("BENCH round %d, %s: %,.0f msg/s; CPU per message: %s%n",
                        round, pattern.label(), run.rate(), run.cpu());
            }
            double window = roundRates.get(PublishingPattern.WINDOW);
            roundRates.forEach((pattern, rate) -> {
                rates.computeIfAbsent(pattern, p -> new ArrayList<>()).add(rate);
                ratios.computeIfAbsent(pattern, p -> new ArrayList<>()).add(rate / window);
            });
        }
        for (PublishingPattern pattern : patterns) {
            row("raw publisher, the dispatcher's messages, " + pattern.label(), "%,.0f msg/s, %.2f of the window's (medians of three)",
                    median(rates.get(pattern)), median(ratios.get(pattern)));
        }
    }

    /** {@code items} starting with the one at {@code round - 1} (modulo their number): each round another goes first. */
    private static <T> List<T> inTurn(List<T> items, int round) {
        List<T> rotated = new ArrayList<>(items);
        java.util.Collections.rotate(rotated, -((round - 1) % items.size()));
        return rotated;
    }

    /**
     * {@code -Dbench.phases=claim-designs}: what a drained event costs PostgreSQL with today's row
     * leases, with the claim partition ownership would have and with one claim row per batch
     * ({@link ClaimDesignCost}), on the four
     * backlog shapes, three rounds with the designs in turn (each round another first); medians of the backend's CPU and
     * the WAL per event. No server and no broker: the database's side of a lane alone.
     */
    private static void claimDesigns() throws Exception {
        int events = scaled(100_000);
        List<Shape> shapes = Shape.backlogShapes(events);
        ClaimDesignCost.drain(ClaimDesignCost.Design.ROW_LEASES, 1_000, Math.max(1, events / 5_000)); // warm-up
        for (Shape shape : shapes) {
            Map<ClaimDesignCost.Design, List<ClaimDesignCost.Cost>> costs = new EnumMap<>(ClaimDesignCost.Design.class);
            for (int round = 1; round <= 3; round++) {
                for (ClaimDesignCost.Design design : inTurn(List.of(ClaimDesignCost.Design.values()), round)) {
                    ClaimDesignCost.Cost cost = ClaimDesignCost.drain(design, shape.aggregates(), shape.eventsEach());
                    costs.computeIfAbsent(design, d -> new ArrayList<>()).add(cost);
                    System.out.printf("BENCH round %d, %s: %s%n", round, shape.label(), cost.describe());
                }
            }
            costs.forEach((design, rounds) -> row("claim design, " + shape.label() + ", " + design.label(),
                    "PostgreSQL CPU %.1f µs, WAL %,.0f B, elapsed %.1f µs per event (medians of three)",
                    median(rounds.stream().map(ClaimDesignCost.Cost::backendCpuMicros).toList()),
                    median(rounds.stream().map(ClaimDesignCost.Cost::walBytes).toList()),
                    median(rounds.stream().map(ClaimDesignCost.Cost::elapsedMicros).toList())));
        }
    }

    /**
     * One raw publishing run to a durable queue ({@link #rawBrokerRate}); when {@code cpuRow} is
     * given, the CPU each kind of process spent per message is printed under that name.
     */
    private static double rawRound(ServerInstance server, int messages, boolean contractMessages, String cpuRow)
            throws Exception {
        RawRun run = rawRun(server, messages, contractMessages, PublishingPattern.WINDOW);
        if (cpuRow != null) {
            row(cpuRow, "%s", run.cpu());
        }
        return run.rate();
    }

    /** A raw publishing run's rate, and the CPU each kind of process spent per message during it. */
    private record RawRun(double rate, String cpu) {
    }

    /** One raw publishing run to a durable queue in {@code pattern}; {@code server} may be null (none runs). */
    private static RawRun rawRun(ServerInstance server, int messages, boolean contractMessages, PublishingPattern pattern)
            throws Exception {
        Map<String, Long> cpuBefore = cpuTicks(server);
        long started = System.nanoTime();
        double rate = rawBrokerRate(messages, true, contractMessages, pattern);
        return new RawRun(rate, cpuPerEvent(cpuBefore, cpuTicks(server), messages, started));
    }

    /** What one drain cost the database; filled by {@link #drain} when asked. */
    private static final class DrainCost {
        String drainCpu;
        long recordingWal;
        long drainWal;
        RowWrites drainRowWrites;
    }

    /**
     * Row writes to the outbox's tables, and of them the updates of {@code outbox_event} and how
     * many were HOT (no index entry written: the new row version fits on its page and no indexed
     * column changed).
     */
    private record RowWrites(long total, long eventUpdates, long eventHotUpdates) {
        RowWrites minus(RowWrites before) {
            return new RowWrites(total - before.total, eventUpdates - before.eventUpdates, eventHotUpdates - before.eventHotUpdates);
        }

        double hotShare() {
            return eventUpdates == 0 ? 0 : eventHotUpdates / (double) eventUpdates;
        }
    }

    /** The cluster's WAL position in bytes. */
    private static long walPosition() throws Exception {
        return Database.single("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
    }

    /**
     * Inserts, updates and deletes on the outbox's tables as PostgreSQL's statistics count them.
     * Backends report their counts when idle, at the latest about ten seconds later: the figure
     * is read after waiting that long.
     */
    private static RowWrites outboxRowWrites() throws Exception {
        Thread.sleep(11_000);
        return new RowWrites(
                Database.single("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables"
                        + " WHERE relid IN ('outbox_event'::regclass, 'outbox_aggregate'::regclass, 'outbox_control'::regclass)"),
                Database.single("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relid = 'outbox_event'::regclass"),
                Database.single("SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'outbox_event'::regclass"));
    }

    /**
     * {@code -Dbench.phases=latency}: commit-to-confirm at 10, 100, 200 and 1,000 events/s offered,
     * each 30 s, on a server first warmed by 15 s at 1,000 events/s that are not counted (the full
     * run measures 200 events/s first, on a cold server).
     */
    private static void latencyAtRates(ServerInstance server) throws Exception {
        latency(server, 1_000, 15, false);
        for (int rate : List.of(10, 100, 200, 1_000)) {
            latency(server, rate, 30, true);
        }
    }

    private static void latency(ServerInstance server, int eventsPerSecond) throws Exception {
        latency(server, eventsPerSecond, 30, true);
    }

    /**
     * Events offered at a steady rate for 30 s through the REST API (10 events per request and
     * transaction, one below 100 events/s); commit-to-confirm from the server's own histogram (commit instant sampled
     * after the commit, confirm instant when the batch's confirms are in).
     */
    private static void latency(ServerInstance server, int eventsPerSecond, int fullSeconds, boolean report) throws Exception {
        Http http = new Http(server.base());
        String before = http.get("metrics").body();
        int seconds = Math.max(5, (int) Math.round(fullSeconds * Math.min(1.0, SCALE)));
        int eventsPerRequest = eventsPerSecond >= 100 ? 10 : 1;
        int requestsPerSecond = eventsPerSecond / eventsPerRequest;
        ExecutorService clients = Executors.newFixedThreadPool(32);
        AtomicLong failures = new AtomicLong();
        long started = System.nanoTime();
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < requestsPerSecond * seconds; i++) {
            long due = started + (long) (i * (1e9 / requestsPerSecond));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the offered load
            }
            int n = i;
            sent.add(clients.submit(() -> {
                HttpResponse<String> response = http.post("api/test/events?type=bench_latency&prefix=latency-" + n
                        + "&routingKey=bench.latency&count=" + eventsPerRequest + "&aggregates=" + eventsPerRequest
                        + "&perTransaction=" + eventsPerRequest + "&payloadBytes=" + PAYLOAD_BYTES, null);
                if (response.statusCode() != 200) {
                    failures.incrementAndGet();
                }
            }));
        }
        for (Future<?> request : sent) {
            request.get();
        }
        double achieved = requestsPerSecond * eventsPerRequest * seconds / ((System.nanoTime() - started) / 1e9);
        clients.shutdown();
        Thread.sleep(2_000); // let the last confirms land in the histogram
        String after = http.get("metrics").body();
        double[] quantiles = histogramQuantiles(before, after, "outbox_commit_to_confirm_seconds", 0.5, 0.99);
        double max = gauge(after, "outbox_commit_to_confirm_seconds_max");
        if (!report) {
            return;
        }
        row("commit-to-confirm, " + String.format("%,d", eventsPerSecond) + " events/s offered for " + seconds + " s (achieved " + Math.round(achieved) + "/s, "
                        + failures.get() + " failed requests)",
                "p50 <= %.1f ms, p99 <= %.1f ms, recent max %.1f ms", quantiles[0] * 1000, quantiles[1] * 1000, max * 1000);
    }

    /** The same business call with and without its event: calls per second, 16 clients, 10 s each. */
    private static void businessCost(ServerInstance server) throws Exception {
        Http http = new Http(server.base());
        double without = callsPerSecond(http, BUSINESS_CALL + 0);
        double with = callsPerSecond(http, BUSINESS_CALL + 1);
        row("business call (insert a row) without its event", "%,.0f calls/s", without);
        row("same call with its event", "%,.0f calls/s (%.2f of without)", with, with / without);
    }

    /**
     * The business calls' cost, three rounds on one WildFly whose database connections go through a
     * TCP proxy of the benchmark's that counts round trips: the one-insert call with none, one and
     * ten events, and the learning API's submission call (lock the pulse, insert the submission)
     * without and with its event. Calls per second from 16 clients for 10 s each, medians of the
     * rounds after three that warm the server up; WildFly's and PostgreSQL's CPU time per call (from
     * {@code /proc}, which the machine's noise hardly moves); round trips per call from the proxy (the
     * timers' and health checks' own round trips during the measurement are counted too: a few per
     * second against thousands of calls). The
     * server's dispatch is off: its events are recorded and wait, deleted with the benchmark's rows.
     */
    private static void businessCostThroughCountingProxy(Path war, Map<String, String> env) throws Exception {
        Map<String, String> proxied = new HashMap<>(env);
        // the events are recorded and wait: the dispatcher's own round trips would be counted too
        proxied.put("OUTBOX_DISPATCH_ENABLED", "false");
        proxied.put("EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + DATABASE_PROXY + "/" + TestServices.dbName());
        try (TcpProxy database = new TcpProxy(DATABASE_PROXY, TestServices.dbHost(), TestServices.dbPort()).open();
             WildFlyInstance server = new WildFlyInstance("bench-business", 300, proxied, war)) {
            server.start();
            Http http = new Http(server.base());
            List<String> pulses = new ArrayList<>();
            for (int p = 0; p < 16; p++) {
                pulses.add(http.post(BUSINESS_CALL + 0, null).body());
            }
            Map<String, String> calls = new LinkedHashMap<>();
            calls.put("one-insert call, no event", BUSINESS_CALL + 0);
            calls.put("one-insert call, one event", BUSINESS_CALL + 1);
            calls.put("one-insert call, ten events", BUSINESS_CALL + 10);
            calls.put("submission call, no event", "api/test/events/submission?withEvent=false&routingKey=bench.business");
            calls.put("submission call, its event", "api/test/events/submission?withEvent=true&routingKey=bench.business");
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            Map<String, List<Double>> roundTrips = new LinkedHashMap<>();
            Map<String, List<Double>> serverCpus = new LinkedHashMap<>();
            int warmUpRounds = 3; // on a 2-core machine the server's compiler speeds the calls up for minutes
            for (int round = 1 - warmUpRounds; round <= 3; round++) { // rounds up to 0 are not counted
                for (Map.Entry<String, String> call : calls.entrySet()) {
                    long tripsBefore = database.roundTrips();
                    AtomicLong made = new AtomicLong();
                    Map<String, Long> cpuBefore = cpuTicks(server);
                    long started = System.nanoTime();
                    double rate = callsPerSecond(http, call.getValue(),
                            call.getKey().startsWith("submission") ? pulses : List.of(), made);
                    Map<String, Long> cpuAfter = cpuTicks(server);
                    double trips = (double) (database.roundTrips() - tripsBefore) / made.get();
                    double serverCpu = serverCpuPerCall(cpuBefore, cpuAfter, made.get());
                    if (round > 0) {
                        rates.computeIfAbsent(call.getKey(), k -> new ArrayList<>()).add(rate);
                        roundTrips.computeIfAbsent(call.getKey(), k -> new ArrayList<>()).add(trips);
                        serverCpus.computeIfAbsent(call.getKey(), k -> new ArrayList<>()).add(serverCpu);
                    }
                    System.out.printf("BENCH business, round %d, %s: %,.0f calls/s, %.2f round trips per call;"
                                    + " CPU per call (the benchmark client includes the counting proxy): %s%n",
                            round, call.getKey(), rate, trips,
                            cpuPerEvent(cpuBefore, cpuAfter, (int) made.get(), started));
                }
            }
            for (String call : calls.keySet()) {
                row("business: " + call + " (16 clients, medians of three rounds of 10 s)",
                        "%,.0f calls/s, %.2f database round trips per call, %.0f µs of WildFly and PostgreSQL CPU per call",
                        median(rates.get(call)), median(roundTrips.get(call)), median(serverCpus.get(call)));
            }
            row("business: one-insert call with its event / without", "%.2f",
                    median(rates.get("one-insert call, one event")) / median(rates.get("one-insert call, no event")));
            row("business: submission call with its event / without", "%.2f",
                    median(rates.get("submission call, its event")) / median(rates.get("submission call, no event")));
            row("business: submission call's WildFly and PostgreSQL CPU per call, without its event / with", "%.2f",
                    median(serverCpus.get("submission call, no event")) / median(serverCpus.get("submission call, its event")));
        }
    }

    private static double callsPerSecond(Http http, String path) throws Exception {
        return callsPerSecond(http, path, List.of(), new AtomicLong());
    }

    /** 16 clients calling {@code path} for 10 s; client {@code c} adds {@code &pulseId=} of pulse {@code c} when pulses are given. */
    private static double callsPerSecond(Http http, String path, List<String> pulses, AtomicLong calls)
            throws Exception {
        int seconds = Math.max(3, (int) Math.round(10 * Math.min(1.0, SCALE)));
        ExecutorService clients = Executors.newFixedThreadPool(16);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long started = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            String target = pulses.isEmpty() ? path : path + "&pulseId=" + pulses.get(c);
            workers.add(clients.submit(() -> {
                while (System.nanoTime() < until) {
                    HttpResponse<String> response = http.post(target, null);
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("POST " + target + " answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    calls.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        clients.shutdown();
        return calls.get() / ((System.nanoTime() - started) / 1e9);
    }

    /** Heap (jboss-cli) and resident size (/proc) of the server while a large backlog drains. */
    private static void memory(WildFlyInstance server, int events) throws Exception {
        String type = "bench_mem_" + UUID.randomUUID().toString().substring(0, 8);
        setPaused(true);
        try {
            record(server, type, "bench.memory", events, 1_000);
        } finally {
            setPaused(false);
        }
        List<Long> heap = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        long started = System.nanoTime();
        while (Database.single("SELECT count(*) FROM outbox_event WHERE aggregate_type = ? AND dispatched_at IS NULL", type) > 0) {
            heap.add(heapUsedMb(server));
            rss.add(server.residentMb());
            Thread.sleep(1_000);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        row("heap used while " + String.format("%,d", events) + " pending events drain (" + Math.round(events / seconds) + " events/s)",
                "min %d MB, max %d MB, first %d MB, last %d MB (%d samples)", heap.stream().min(Long::compare).orElse(0L),
                heap.stream().max(Long::compare).orElse(0L), heap.isEmpty() ? 0 : heap.get(0),
                heap.isEmpty() ? 0 : heap.get(heap.size() - 1), heap.size());
        row("resident size meanwhile", "min %d MB, max %d MB", rss.stream().min(Long::compare).orElse(0L),
                rss.stream().max(Long::compare).orElse(0L));
    }

    private static long heapUsedMb(WildFlyInstance server) throws Exception {
        Process cli = new ProcessBuilder(Path.of(System.getProperty("jboss.home"), "bin", "jboss-cli.sh").toString(),
                "--connect", "--controller=127.0.0.1:" + server.managementPort(),
                "--command=/core-service=platform-mbean/type=memory:read-attribute(name=heap-memory-usage)")
                .redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cli.waitFor(30, TimeUnit.SECONDS);
        Matcher used = Pattern.compile("\"used\" => (\\d+)L").matcher(output);
        return used.find() ? Long.parseLong(used.group(1)) / (1024 * 1024) : -1;
    }

    /** Quantiles from the difference of two scrapes of a Prometheus histogram (upper bucket bounds). */
    private static double[] histogramQuantiles(String before, String after, String name, double... quantiles) {
        Map<Double, Double> first = buckets(before, name);
        Map<Double, Double> last = buckets(after, name);
        List<Double> bounds = new ArrayList<>(last.keySet());
        bounds.sort(Double::compare);
        double total = last.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - first.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        double[] result = new double[quantiles.length];
        for (int q = 0; q < quantiles.length; q++) {
            for (double bound : bounds) {
                double count = last.get(bound) - first.getOrDefault(bound, 0.0);
                if (total > 0 && count >= quantiles[q] * total) {
                    result[q] = bound;
                    break;
                }
            }
        }
        return result;
    }

    private static Map<Double, Double> buckets(String text, String name) {
        Map<Double, Double> buckets = new HashMap<>();
        Matcher bucket = Pattern.compile("(?m)^" + name + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$").matcher(text);
        while (bucket.find()) {
            double bound = bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1));
            buckets.put(bound, Double.parseDouble(bucket.group(2)));
        }
        return buckets;
    }

    private static double gauge(String text, String name) {
        Matcher value = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        return value.find() ? Double.parseDouble(value.group(2)) : Double.NaN;
    }

    private static void row(String what, String format, Object... values) {
        String figure = String.format(Locale.ROOT, format, values);
        TABLE.add(new String[] {what, figure});
        System.out.println("BENCH " + what + ": " + figure);
    }

    private static void printTable() throws Exception {
        StringBuilder table = new StringBuilder("\n| measure | result |\n|---|---|\n");
        for (String[] row : TABLE) {
            table.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n");
        }
        String machine = Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.version")
                + ", scale " + SCALE;
        table.append("\n(").append(machine).append(")\n");
        System.out.println(table);
        Files.writeString(Path.of(System.getProperty("jboss.home")).getParent().resolve("benchmark.md"), table.toString());
    }
}
