package live.edupulse.outbox.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The current transaction's row updates of one table so far, all and heap-only (HOT: the new row
 * version stayed on its page and no index entry was written), from PostgreSQL's own counters, and
 * the server's WAL position. Read before and after statements in one transaction; the difference is
 * what they wrote.
 */
public record RowUpdates(long updated, long heapOnly, long walBytes) {

    public static RowUpdates read(Connection connection, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT pg_stat_get_xact_tuples_updated(?::regclass),
                       pg_stat_get_xact_tuples_hot_updated(?::regclass),
                       pg_current_wal_insert_lsn() - '0/0'::pg_lsn""")) {
            query.setString(1, table);
            query.setString(2, table);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new RowUpdates(row.getLong(1), row.getLong(2), row.getLong(3));
            }
        }
    }

    public RowUpdates minus(RowUpdates earlier) {
        return new RowUpdates(updated - earlier.updated, heapOnly - earlier.heapOnly, walBytes - earlier.walBytes);
    }
}
