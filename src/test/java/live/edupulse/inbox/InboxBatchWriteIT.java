package live.edupulse.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * {@code inbox_applied} row. Each aggregate's row gets two new versions (locked, then advanced) in
 * a column that is in no index, so both are heap-only (HOT) updates, with no index entry and a
 * small WAL record, because {@code inbox_aggregate}'s pages are filled to half at insert (V13). An
 * aggregate with an open message (here, a held one) has every event of the batch recorded in
 * {@code inbox_message} instead, so that a message stored before stops the batch.
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
        assertEquals(2L * batch.size(), writes.aggregates.updated(), "two row versions per aggregate: lock and advance");
        assertEquals(writes.aggregates.updated(), writes.aggregates.heapOnly(), "both heap-only updates (no index entry)");
    }

    @Test
    void anAggregateWithAnOpenMessageHasTheBatchRecordedMessageByMessage() throws Exception {
        List<DeliveredEvent> batch = fourthEventOfEveryFourthAggregate();
        DeliveredEvent first = batch.get(0);
        DeliveredEvent heldFifth = new DeliveredEvent(UUID.randomUUID(), "lab", first.aggregateId(), 5, "lab.e",
                Instant.now(), "{}");
        try (PreparedStatement held = connection.prepareStatement("""
                INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                           event_type, occurred_at, payload, status)
                VALUES (?, ?, 'lab', ?, 5, 'lab.e', now(), '{}', 'held')""")) {
            held.setString(1, CONSUMER);
            held.setObject(2, heldFifth.eventId());
            held.setString(3, first.aggregateId());
            held.executeUpdate();
        }
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
