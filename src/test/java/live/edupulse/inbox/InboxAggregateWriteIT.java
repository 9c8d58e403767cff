package live.edupulse.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import live.edupulse.inbox.InboxStore.AggregateRef;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.RowUpdates;
import live.edupulse.outbox.testing.ScratchSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a batch writes to its aggregates' rows, on the real PostgreSQL in a scratch schema built from
 * the application's migrations, outside any server. A batch locks each of its aggregates' rows with
 * an upsert and advances it once its events are applied: two new versions of a row whose changed
 * column is in no index, so both can be heap-only (HOT) updates, with no index entry and a small WAL
 * record, if the row's page has room for them: {@code inbox_aggregate}'s pages are filled to half at
 * insert for that (V13).
 */
class InboxAggregateWriteIT {

    private static final String SCHEMA = "inbox_aggregate_write_lab_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String CONSUMER = "lab";
    private static final int AGGREGATES = 1_000;

    @AfterEach
    void dropScratchSchema() throws SQLException {
        ScratchSchema.drop(SCHEMA);
    }

    @Test
    void aBatchLocksAndAdvancesItsAggregatesWithHeapOnlyUpdates() throws Exception {
        try (Connection connection = Database.connect()) {
            try (Statement sql = connection.createStatement()) {
                ScratchSchema.create(sql, SCHEMA);
                // a consumer that has applied three events of each of its aggregates
                sql.execute("""
                        INSERT INTO inbox_aggregate (consumer, aggregate_type, aggregate_id, last_applied_seq)
                        SELECT '%s', 'lab', 'agg-' || lpad(g::text, 5, '0'), 3 FROM generate_series(0, %d - 1) g"""
                        .formatted(CONSUMER, AGGREGATES));
            }
            // a batch of the fourth events of every fourth aggregate, as a prefetch of spread traffic brings
            List<DeliveredEvent> batch = new ArrayList<>();
            for (int i = 0; i < AGGREGATES; i += 4) {
                batch.add(new DeliveredEvent(UUID.randomUUID(), "lab", "agg-%05d".formatted(i), 4, "lab.e",
                        Instant.now(), "{}"));
            }
            Map<AggregateRef, DeliveredEvent> lastApplied = new LinkedHashMap<>();
            batch.forEach(event -> lastApplied.put(AggregateRef.of(event), event));

            connection.setAutoCommit(false);
            RowUpdates before = RowUpdates.read(connection, "inbox_aggregate");
            Map<AggregateRef, Long> locked = InboxStore.lockAggregates(connection, CONSUMER, batch);
            InboxStore.advanceAll(connection, CONSUMER, lastApplied);
            RowUpdates written = RowUpdates.read(connection, "inbox_aggregate").minus(before);
            connection.rollback();
            long updated = written.updated();
            long heapOnly = written.heapOnly();
            System.out.printf("INBOX-AGGREGATES batch=%d row-updates=%d heap-only=%d%n", batch.size(), updated, heapOnly);
            assertEquals(batch.size(), locked.size(), "every aggregate of the batch locked");
            assertEquals(Set.of(3L), Set.copyOf(locked.values()), "read at their last applied seq");
            assertEquals(2L * batch.size(), updated, "two row versions per aggregate: the lock and the advance");
            assertEquals(updated, heapOnly, "both heap-only updates (no index entry)");
        }
    }
}
