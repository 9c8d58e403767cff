package live.edupulse.outbox.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import live.edupulse.outbox.testing.Database;

/**
 * Every event of one aggregate type that is leased (claimed, not yet settled) at any moment from
 * the watch's opening until {@link #stop()}, however briefly. A fault is injected and restored
 * while a watch is open, so its answer is the set of events the fault may deliver twice.
 *
 * <p>The database itself keeps the record: opening installs a trigger on {@code outbox_event} that
 * writes down every claim of the type's rows, in the claiming transaction, and reads the rows
 * leased at that moment in the same transaction (the trigger's creation holds off every writer
 * until it commits, so no lease falls between the two). Sampling the leased rows from outside
 * would miss a lease that is claimed, published and released between two samples, which a
 * connection cut does in milliseconds. {@link #stop()} removes the trigger and its table.
 *
 * <p>It also tells claims that took rows over from a lease that ran out (the row still had a
 * lease token: every settle and release clears it) from claims of free rows.
 */
final class LeaseWatch implements AutoCloseable {

    /** The trigger's creation and removal wait for open writers: fail loudly rather than hang. */
    private static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '30s'";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,40}");

    private final String table;
    private final Set<String> leasedAtOpening = new HashSet<>();
    private boolean stopped;

    LeaseWatch(String aggregateType) throws SQLException {
        if (!NAME.matcher(aggregateType).matches()) {
            throw new IllegalArgumentException("not usable in a trigger's name: " + aggregateType);
        }
        this.table = "lease_watch_" + aggregateType;
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute(LOCK_TIMEOUT);
            sql.execute("CREATE TABLE " + table + " (id uuid NOT NULL, took_over boolean NOT NULL)");
            sql.execute("CREATE FUNCTION " + table + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "INSERT INTO " + table + " VALUES (NEW.id, OLD.lease_token IS NOT NULL); RETURN NULL; END $$");
            sql.execute("CREATE TRIGGER " + table + " AFTER UPDATE OF lease_token ON outbox_event FOR EACH ROW "
                    + "WHEN (NEW.aggregate_type = '" + aggregateType + "' AND NEW.lease_token IS NOT NULL "
                    + "AND NEW.lease_token IS DISTINCT FROM OLD.lease_token) EXECUTE FUNCTION " + table + "()");
            try (ResultSet rows = sql.executeQuery("SELECT id::text FROM outbox_event WHERE aggregate_type = '"
                    + aggregateType + "' AND lease_token IS NOT NULL AND dispatched_at IS NULL")) {
                while (rows.next()) {
                    leasedAtOpening.add(rows.getString(1));
                }
            }
            connection.commit();
        }
    }

    /**
     * Every event leased at some moment since the watch opened, claims still being committed
     * included (the read waits for open writers of {@code outbox_event}, as {@link #stop()} does);
     * the watch goes on.
     */
    Set<String> leasedSoFar() throws SQLException {
        Set<String> leased = new HashSet<>(leasedAtOpening);
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute(LOCK_TIMEOUT);
            sql.execute("LOCK TABLE outbox_event IN SHARE ROW EXCLUSIVE MODE");
            addRecorded(sql, leased);
            connection.commit();
        }
        return leased;
    }

    /** The events a claim took over from a lease that had run out, since the watch opened; the watch goes on. */
    Set<String> takenOverSoFar() throws SQLException {
        return new HashSet<>(Database.strings("SELECT id::text FROM " + table + " WHERE took_over"));
    }

    /** Stops watching and returns every event leased at some moment while the watch was open. */
    Set<String> stop() throws SQLException {
        stopped = true;
        Set<String> leased = new HashSet<>(leasedAtOpening);
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute(LOCK_TIMEOUT);
            sql.execute("DROP TRIGGER " + table + " ON outbox_event");
            addRecorded(sql, leased);
            sql.execute("DROP FUNCTION " + table + "()");
            sql.execute("DROP TABLE " + table);
            connection.commit();
        }
        return leased;
    }

    private void addRecorded(Statement sql, Set<String> leased) throws SQLException {
        try (ResultSet rows = sql.executeQuery("SELECT id::text FROM " + table)) {
            while (rows.next()) {
                leased.add(rows.getString(1));
            }
        }
    }

    /** Stops watching unless {@link #stop()} did. */
    @Override
    public void close() throws SQLException {
        if (!stopped) {
            stop();
        }
    }
}
