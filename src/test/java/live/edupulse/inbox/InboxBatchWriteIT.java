package live.edupulse.inbox;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import live.edupulse.inbox.InboxStore.BatchResult;
import live.edupulse.inbox.InboxStore.Verdict;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.RowUpdates;
import live.edupulse.outbox.testing.ScratchSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a batch of deliveries writes ({@link InboxStore#receiveAll}), on the real PostgreSQL in a
 * scratch schema built from the application's migrations, outside any server, from PostgreSQL's
 * own counters of the batch's transaction.
 *
 * <p>Events applied in their aggregates' order get no row of their own: their ids go into one
 * {@code inbox_applied} row. Each aggregate's row is locked ({@code FOR UPDATE}: no new version)
 * and then gets one new version, the advance, in a column that is in no index, so it is a
 * heap-only (HOT) update, with no index entry and a small WAL record, because
 * {@code inbox_aggregate}'s pages are filled to half at insert (V13). An
 * aggregate with an open message (here, a held one) has every event of the batch recorded in
 * {@code inbox_message} instead, so that a message stored before stops the batch; so does an
 * event that has a row already. A failure recorded for an event applied meanwhile leaves no open row.
 * A batch waiting for an aggregate's lock holds no new aggregate's row another transaction could wait for.
 */
class InboxBatchWriteIT {

    private static final String SCHEMA = "inbox_batch_write_lab_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String CONSUMER = "lab";
    private static final int AGGREGATES = 1_000;

    private final List<DeliveredEvent> applied = new ArrayList<>();
    private final InboxConsumer consumer = new InboxConsumer() {
        @Override
        public String name() {
            return CONSUMER;
        }

        @Override
        public List<String> eventTypes() {
            return List.of("lab.#");
        }

        @Override
        public void apply(DeliveredEvent event) {
            applied.add(event);
        }
    };

    private Connection connection;

    @BeforeEach
    void scratchSchema() throws SQLException {
        connection = Database.connect();
        try (Statement sql = connection.createStatement()) {
            ScratchSchema.create(sql, SCHEMA);
            // a consumer that has applied three events of each of its aggregates
            sql.execute("""
                    INSERT INTO inbox_aggregate (consumer, aggregate_type, aggregate_id, last_applied_seq)
                    SELECT '%s', 'lab', 'agg-' || lpad(g::text, 5, '0'), 3 FROM generate_series(0, %d - 1) g"""
                    .formatted(CONSUMER, AGGREGATES));
        }
        connection.setAutoCommit(false);
    }

    @AfterEach
    void dropScratchSchema() throws SQLException {
        connection.close();
        ScratchSchema.drop(SCHEMA);
    }

    @Test
    void eventsAppliedInOrderShareOneRowAndAdvanceTheirAggregatesWithHeapOnlyUpdates() throws Exception {
        List<DeliveredEvent> batch = fourthEventOfEveryFourthAggregate();

        Writes writes = Writes.of(connection, () -> InboxStore.receiveAll(connection, consumer, batch));

        System.out.printf("INBOX-BATCH in order: events=%d message-rows=%d applied-rows=%d aggregate-updates=%d"
                + " heap-only=%d wal-bytes-per-event=%d%n", batch.size(), writes.messageRows, writes.appliedRows,
                writes.aggregates.updated(), writes.aggregates.heapOnly(), writes.aggregates.walBytes() / batch.size());
        assertEquals(batch, applied, "every event applied, in the batch's order");
        assertEquals(0, writes.messageRows, "inbox_message rows for events applied in order");
        assertEquals(1, writes.appliedRows, "inbox_applied rows: one per batch");
        assertEquals(batch.stream().map(DeliveredEvent::eventId).toList(), appliedIds(), "the ids recorded");
        assertEquals(batch.size(), writes.aggregates.updated(), "one row version per aggregate: the advance");
        assertEquals(writes.aggregates.updated(), writes.aggregates.heapOnly(), "heap-only updates (no index entry)");
    }

    @Test
    void anAggregateWithAnOpenMessageHasTheBatchRecordedMessageByMessage() throws Exception {
        List<DeliveredEvent> batch = fourthEventOfEveryFourthAggregate();
        DeliveredEvent first = batch.get(0);
        DeliveredEvent heldFifth = new DeliveredEvent(UUID.randomUUID(), "lab", first.aggregateId(), 5, "lab.e",
                Instant.now(), "{}");
        insertRow(heldFifth, "held");
        connection.commit();

        BatchResult[] result = new BatchResult[1];
        Writes writes = Writes.of(connection, () -> result[0] = InboxStore.receiveAll(connection, consumer, batch));

        System.out.printf("INBOX-BATCH with an open aggregate: events=%d message-rows=%d applied-rows=%d%n",
                batch.size(), writes.messageRows, writes.appliedRows);
        assertEquals(batch.size(), writes.messageRows, "inbox_message rows: every event of the batch");
        assertEquals(0, writes.appliedRows, "inbox_applied rows");
        assertEquals(List.of(first), result[0].withHeldSuccessor(), "the aggregate whose held event is next");
        assertEquals(Verdict.APPLIED, result[0].verdicts().get(first.eventId()));
    }

    /**
     * An event discarded by an operator keeps its {@code skipped} row; when it comes again (a
     * replay) once its aggregate has reached it, the batch finds the row and does not apply it.
     */
    @Test
    void anEventAnOperatorDiscardedIsNotAppliedWhenItComesAgain() throws Exception {
        List<DeliveredEvent> batch = fourthEventOfEveryFourthAggregate();
        DeliveredEvent discarded = batch.get(0);
        insertRow(discarded, "skipped");
        connection.commit();

        IllegalStateException stopped = assertThrows(IllegalStateException.class,
                () -> InboxStore.receiveAll(connection, consumer, batch));
        connection.rollback();

        System.out.println("INBOX-BATCH with a discarded event again: " + stopped.getMessage());
        assertTrue(stopped.getMessage().contains(discarded.eventId() + ", stored before"), stopped.getMessage());
        assertEquals(List.of(), applied, "events applied by the batch that was stopped");
    }

    /**
     * A failure recorded for an event whose aggregate has applied it meanwhile (another instance
     * took its redelivery) leaves no open row: no retry, no parked event holding the aggregate
     * back, only a settled duplicate.
     */
    @Test
    void aFailureRecordedForAnEventAppliedMeanwhileLeavesNoOpenRow() throws Exception {
        List<DeliveredEvent> batch = fourthEventOfEveryFourthAggregate();
        InboxStore.receiveAll(connection, consumer, batch);
        connection.commit();

        InboxStore.FailureRecord recorded = InboxStore.failed(connection, CONSUMER, batch.get(0),
                "failed on another instance", Duration.ofSeconds(1), Duration.ofMinutes(5), 1);
        connection.commit();

        String status = Database.text("SELECT string_agg(status, ',') FROM " + SCHEMA + ".inbox_message"
                + " WHERE message_id = ?", batch.get(0).eventId());
        System.out.printf("INBOX-BATCH failure of an applied event: recorded=%s rows=%s%n", recorded, status);
        assertEquals(InboxStore.FailureRecord.NOTHING, recorded);
        assertEquals("duplicate", status, "the event's inbox_message rows");
    }

    /**
     * A failure recorded while a sweep holds the event's row (it locks the row, then the
     * aggregate, as every step on one message does) waits for the sweep instead of deadlocking
     * with it: the failure writes the event's row before it locks the aggregate.
     */
    @Test
    void aFailureRecordedWhileASweepHoldsTheEventWaitsForIt() throws Exception {
        DeliveredEvent event = fourthEventOfEveryFourthAggregate().get(0);
        insertRow(event, "retry");
        connection.commit();
        ExecutorService failing = Executors.newSingleThreadExecutor();
        try (Connection sweep = Database.connect(); Statement sql = sweep.createStatement()) {
            sql.execute("SET search_path = " + SCHEMA);
            sweep.setAutoCommit(false);
            sql.execute("SELECT 1 FROM inbox_message WHERE message_id = '" + event.eventId() + "' FOR UPDATE");
            long failingBackend = backendPid(connection);
            Future<InboxStore.FailureRecord> recorded = failing.submit(() -> {
                InboxStore.FailureRecord record = InboxStore.failed(connection, CONSUMER, event, "failed again",
                        Duration.ofSeconds(1), Duration.ofMinutes(5), 10);
                connection.commit();
                return record;
            });
            await().atMost(ofSeconds(10)).until(() -> recorded.isDone() || waitsOnALock(failingBackend));
            long lastApplied = InboxStore.lockAggregate(sweep, CONSUMER, "lab", event.aggregateId());
            sweep.commit();

            InboxStore.FailureRecord record = recorded.get(30, TimeUnit.SECONDS);
            System.out.printf("INBOX-BATCH failure while a sweep holds the event: sweep read seq %d, recorded=%s%n",
                    lastApplied, record);
            assertEquals(InboxStore.FailureRecord.RETRY, record);
        } finally {
            failing.shutdownNow();
        }
    }

    /**
     * A batch of an existing aggregate and a new one waits for another transaction's lock on the
     * existing one before it creates the new one. So a transaction that holds one aggregate and
     * then creates another (none of the inbox's steps does today; each takes one aggregate) can
     * still do so instead of waiting for a row the batch inserted and deadlocking with it; the
     * batch then finds the aggregate created meanwhile and is taken one message at a time.
     */
    @Test
    void aBatchWaitingForAnAggregateHoldsNoNewAggregateAnotherTransactionCouldWaitFor() throws Exception {
        DeliveredEvent existing = new DeliveredEvent(UUID.randomUUID(), "lab", "agg-00000", 4, "lab.e", Instant.now(), "{}");
        // before the existing one in key order: a batch that created rows first would hold it while waiting
        DeliveredEvent first = new DeliveredEvent(UUID.randomUUID(), "lab", "agg-0000-new", 1, "lab.e", Instant.now(), "{}");
        ExecutorService batching = Executors.newSingleThreadExecutor();
        try (Connection other = Database.connect(); Statement sql = other.createStatement()) {
            sql.execute("SET search_path = " + SCHEMA);
            other.setAutoCommit(false);
            InboxStore.lockAggregate(other, CONSUMER, "lab", existing.aggregateId());
            long batchBackend = backendPid(connection);
            Future<BatchResult> batch = batching.submit(() -> InboxStore.receiveAll(connection, consumer,
                    List.of(existing, first)));
            await().atMost(ofSeconds(10)).until(() -> batch.isDone() || waitsOnALock(batchBackend));
            long created = InboxStore.lockAggregate(other, CONSUMER, "lab", first.aggregateId());
            other.commit();

            ExecutionException stopped = assertThrows(ExecutionException.class, () -> batch.get(30, TimeUnit.SECONDS));
            connection.rollback();
            System.out.printf("INBOX-BATCH waiting for an aggregate while another transaction creates one: created at"
                    + " seq %d; the batch: %s%n", created, stopped.getCause().getMessage());
            assertTrue(stopped.getCause() instanceof IllegalStateException
                    && stopped.getCause().getMessage().contains("created by another transaction"), stopped.toString());
            assertEquals(List.of(), applied, "events applied by the batch that was stopped");
        } finally {
            batching.shutdownNow();
        }
    }

    private static long backendPid(Connection connection) throws SQLException {
        try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getLong(1);
        }
    }

    private static boolean waitsOnALock(long backend) throws SQLException {
        return Database.single("SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'",
                (int) backend) == 1;
    }

    private void insertRow(DeliveredEvent event, String status) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                           event_type, occurred_at, payload, status)
                VALUES (?, ?, 'lab', ?, ?, 'lab.e', now(), '{}', ?)""")) {
            insert.setString(1, CONSUMER);
            insert.setObject(2, event.eventId());
            insert.setString(3, event.aggregateId());
            insert.setLong(4, event.aggregateSeq());
            insert.setString(5, status);
            insert.executeUpdate();
        }
    }

    /** The fourth events of every fourth aggregate, as a prefetch of spread traffic brings them. */
    private static List<DeliveredEvent> fourthEventOfEveryFourthAggregate() {
        List<DeliveredEvent> batch = new ArrayList<>();
        for (int i = 0; i < AGGREGATES; i += 4) {
            batch.add(new DeliveredEvent(UUID.randomUUID(), "lab", "agg-%05d".formatted(i), 4, "lab.e",
                    Instant.now(), "{}"));
        }
        return batch;
    }

    private List<UUID> appliedIds() throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("SELECT unnest(message_ids) FROM inbox_applied")) {
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    /** What one batch wrote, read in its transaction before it is rolled back. */
    private record Writes(long messageRows, long appliedRows, RowUpdates aggregates) {

        interface Batch {
            void run() throws SQLException;
        }

        static Writes of(Connection connection, Batch batch) throws SQLException {
            RowUpdates before = RowUpdates.read(connection, "inbox_aggregate");
            Map<String, Long> insertedBefore = inserted(connection);
            batch.run();
            RowUpdates aggregates = RowUpdates.read(connection, "inbox_aggregate").minus(before);
            Map<String, Long> insertedAfter = inserted(connection);
            return new Writes(insertedAfter.get("inbox_message") - insertedBefore.get("inbox_message"),
                    insertedAfter.get("inbox_applied") - insertedBefore.get("inbox_applied"), aggregates);
        }

        private static Map<String, Long> inserted(Connection connection) throws SQLException {
            try (Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery("""
                    SELECT pg_stat_get_xact_tuples_inserted('inbox_message'::regclass),
                           pg_stat_get_xact_tuples_inserted('inbox_applied'::regclass)""")) {
                row.next();
                return Map.of("inbox_message", row.getLong(1), "inbox_applied", row.getLong(2));
            }
        }
    }
}
