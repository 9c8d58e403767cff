package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.RowUpdates;
import live.edupulse.outbox.testing.ScratchSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a lease writes, on the real PostgreSQL in a scratch schema built from the application's
 * migrations, outside any server. The claim changes no indexed column, so each leased row's new
 * version can stay on its page as a heap-only (HOT) update, with no index entry and a small WAL
 * record, if the page has room for it: {@code outbox_event}'s pages are filled to half at insert
 * for that (V12). Without the room, a backlog recorded in a burst fills its pages and nearly every
 * lease writes the row to another page and an entry in each of the table's indexes.
 */
class LeaseWriteIT {

    private static final String SCHEMA = "lease_write_lab_" + UUID.randomUUID().toString().substring(0, 8);
    private static final int BATCH = 500;

    @AfterEach
    void dropScratchSchema() throws SQLException {
        ScratchSchema.drop(SCHEMA);
    }

    @Test
    void everyLeaseOfABacklogOfOneEventAggregatesIsHeapOnly() throws Exception {
        assertEveryLeaseIsHeapOnly(2_000, 1);
    }

    @Test
    void everyLeaseOfABacklogOfLongRunsIsHeapOnly() throws Exception {
        assertEveryLeaseIsHeapOnly(4, 500);
    }

    private static void assertEveryLeaseIsHeapOnly(int aggregates, int eventsEach) throws Exception {
        try (Connection connection = Database.connect()) {
            try (Statement sql = connection.createStatement()) {
                ScratchSchema.create(sql, SCHEMA);
                // a backlog as a burst of recording leaves it: rows of 600-byte payloads, page after page
                sql.execute("""
                        INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                        SELECT gen_random_uuid(), 'lab', 'agg-' || lpad((g %% %1$d)::text, 5, '0'), g / %1$d + 1,
                               'lab.e', repeat('x', 600)
                          FROM generate_series(0, %2$d - 1) g""".formatted(aggregates, aggregates * eventsEach));
            }
            connection.setAutoCommit(false);
            OutboxStore.prepareClaimSession(connection);
            RowUpdates before = RowUpdates.read(connection, "outbox_event");
            int leased = OutboxStore.lease(connection, UUID.randomUUID(), UUID.randomUUID(), AggregateKey.START,
                    BATCH, Math.min(aggregates, BATCH), Duration.ofSeconds(60)).size();
            RowUpdates lease = RowUpdates.read(connection, "outbox_event").minus(before);
            connection.rollback();
            System.out.printf("LEASE %d aggregates x %d: leased=%d row-updates=%d heap-only=%d wal-bytes-per-lease=%d (the whole server's WAL meanwhile)%n",
                    aggregates, eventsEach, leased, lease.updated(), lease.heapOnly(), lease.walBytes() / Math.max(1, leased));
            assertEquals(BATCH, leased, "a full batch leased");
            assertEquals(BATCH, lease.updated(), "one row version written per lease");
            assertEquals(BATCH, lease.heapOnly(), "every lease a heap-only update (no index entry)");
        }
    }
}
