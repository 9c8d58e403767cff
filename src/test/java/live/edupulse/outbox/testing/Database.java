package live.edupulse.outbox.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Direct JDBC reads for client-side tests, of the database of this run ({@link TestServices}).
 */
public final class Database {

    private Database() {
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(TestServices.dbUrl(), TestServices.dbUser(), TestServices.dbPassword());
    }

    /** The first column of every row, as longs. */
    public static List<Long> longs(String sql, Object... parameters) throws SQLException {
        return column(sql, rows -> rows.getLong(1), parameters);
    }

    /** The first column of every row, as text. */
    public static List<String> strings(String sql, Object... parameters) throws SQLException {
        return column(sql, rows -> rows.getString(1), parameters);
    }

    private interface ColumnReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private static <T> List<T> column(String sql, ColumnReader<T> reader, Object... parameters) throws SQLException {
        try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            List<T> values = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(reader.read(rows));
                }
            }
            return values;
        }
    }

    /** The first column of the first row as text (null when SQL NULL). */
    public static String text(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect(); PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** Runs one statement; returns the rows it changed. */
    public static int execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    /** {@code ids} as the text of a PostgreSQL array, for a parameter cast to {@code uuid[]}. */
    public static String uuidArray(Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(Collectors.joining(",", "{", "}"));
    }

    public static long single(String sql, Object... parameters) throws SQLException {
        List<Long> values = longs(sql, parameters);
        if (values.size() != 1) {
            throw new AssertionError("expected one row from " + sql + ", got " + values.size());
        }
        return values.get(0);
    }

    /**
     * Writes a pending event straight into the outbox table, as no application path would: no
     * transaction of the application, so no after-commit nudge, no recording span and no stored trace
     * context. Aggregate seq 1, payload {@code {}}.
     *
     * @return the event's id
     */
    public static UUID insertPendingEvent(String aggregateType, String aggregateId, String eventType) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO outbox_event (id, aggregate_type, aggregate_id, aggregate_seq, event_type, payload)
                VALUES (?, ?, ?, 1, ?, '{}')""")) {
            insert.setObject(1, id);
            insert.setString(2, aggregateType);
            insert.setString(3, aggregateId);
            insert.setString(4, eventType);
            insert.executeUpdate();
        }
        return id;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
