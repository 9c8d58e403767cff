package live.edupulse.outbox.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A large outbox for plan tests: {@code rows} rows of one aggregate type written straight into the
 * table, over 1,000 aggregates and ten event types: per eight rows five dispatched two days ago
 * (one of them discarded), two pending but backing off for a day, one parked; nothing a dispatcher
 * may claim. Then {@code ANALYZE}, so that plans are those of a table this size.
 */
public final class PlanFixture {

    private PlanFixture() {
    }

    public static void insert(String aggregateType, int rows) throws SQLException {
        try (Connection connection = Database.connect(); Statement insert = connection.createStatement()) {
            long started = System.nanoTime();
            insert.executeUpdate("""
                    INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload,
                                              occurred_at, attempts, next_attempt_at, last_error, dispatched_at,
                                              parked_at, discarded_at, discard_reason, discarded_by)
                    SELECT gen_random_uuid(), '%s', 'agg-' || (i %% 1000), i / 1000 + 1, 'test.plan.' || (i %% 10), '{}',
                           now() - interval '3 days' + i * interval '1 ms',
                           CASE WHEN i %% 8 IN (4, 5, 6) THEN 3 ELSE 0 END,
                           CASE WHEN i %% 8 IN (4, 5) THEN now() + interval '1 day' END,
                           CASE WHEN i %% 8 IN (4, 5, 6) THEN 'NO_ROUTE (test)' END,
                           CASE WHEN i %% 8 IN (0, 1, 2, 3, 7) THEN now() - interval '2 days' END,
                           CASE WHEN i %% 8 = 6 THEN now() - interval '2 days' END,
                           CASE WHEN i %% 8 = 7 THEN now() - interval '2 days' END,
                           CASE WHEN i %% 8 = 7 THEN 'test' END,
                           CASE WHEN i %% 8 = 7 THEN 'tester' END
                      FROM generate_series(0, %d) AS i""".formatted(aggregateType, rows - 1));
            insert.execute("ANALYZE outbox_event");
            System.out.printf("PLAN rows=%d inserted and analyzed in %d ms%n", rows, (System.nanoTime() - started) / 1_000_000);
        }
    }

    public static void delete(String aggregateType) throws SQLException {
        try (Connection connection = Database.connect();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM outbox_event WHERE aggregate_type = ?")) {
            delete.setString(1, aggregateType);
            delete.executeUpdate();
        }
    }

    /** The plan PostgreSQL chooses for {@code sql} with these parameters, one line a node. */
    public static String explain(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                explain.setObject(i + 1, parameters.get(i));
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
