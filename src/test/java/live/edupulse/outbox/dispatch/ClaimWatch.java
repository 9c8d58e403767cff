package live.edupulse.outbox.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import live.edupulse.outbox.testing.Database;

/**
 * Records every claim of one aggregate type's events, from a statement trigger in the claiming
 * transaction: the lowest and highest {@code aggregate_seq} it leased, and how many other batches
 * (lease tokens) of that type were leased and unsettled at that moment. Removed at close; one left
 * behind by a test JVM that was killed is removed before a new one is made (it would otherwise run
 * at every update of the table).
 */
final class ClaimWatch implements AutoCloseable {

    /** One claim: the range of {@code aggregate_seq} it leased, and the other batches then in flight. */
    record ClaimSeen(long firstSeq, long lastSeq, long othersInFlight) {

        boolean holds(long seq) {
            return firstSeq <= seq && seq <= lastSeq;
        }
    }

    private final String name;

    ClaimWatch(String type) throws SQLException {
        this.name = "claim_watch_" + type.toLowerCase();
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("SET lock_timeout = '30s'");
            for (String leftOver : Database.strings("SELECT tgname FROM pg_trigger WHERE tgrelid = 'outbox_event'::regclass"
                    + " AND tgname LIKE 'claim\\_watch\\_%'")) {
                drop(sql, leftOver);
            }
            drop(sql, name); // a table or function made before a killed JVM got to its trigger
            sql.execute("CREATE TABLE " + name + " (claimed_at timestamptz DEFAULT clock_timestamp(),"
                    + " first_seq bigint, last_seq bigint, others bigint)");
            sql.execute("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "IF EXISTS (SELECT 1 FROM claimed WHERE aggregate_type = '" + type + "' AND lease_token IS NOT NULL) THEN "
                    + "INSERT INTO " + name + " (first_seq, last_seq, others) "
                    + "SELECT min(c.aggregate_seq), max(c.aggregate_seq), (SELECT count(DISTINCT e.lease_token) FROM outbox_event e "
                    + "WHERE e.aggregate_type = '" + type + "' AND e.dispatched_at IS NULL AND e.lease_token IS NOT NULL "
                    + "AND e.lease_token NOT IN (SELECT lease_token FROM claimed WHERE lease_token IS NOT NULL)) "
                    + "FROM claimed c WHERE c.aggregate_type = '" + type + "' AND c.lease_token IS NOT NULL; "
                    + "END IF; RETURN NULL; END $$");
            sql.execute("CREATE TRIGGER " + name + " AFTER UPDATE ON outbox_event REFERENCING NEW TABLE AS claimed "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION " + name + "()");
        }
    }

    List<Long> otherBatchesInFlightAtEachClaim() throws SQLException {
        return claims().stream().map(ClaimSeen::othersInFlight).toList();
    }

    /** The claims seen, in the order they were made. */
    List<ClaimSeen> claims() throws SQLException {
        List<ClaimSeen> claims = new ArrayList<>();
        try (Connection connection = Database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT first_seq, last_seq, others FROM " + name + " ORDER BY claimed_at");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                claims.add(new ClaimSeen(rows.getLong(1), rows.getLong(2), rows.getLong(3)));
            }
        }
        return claims;
    }

    @Override
    public void close() throws SQLException {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("SET lock_timeout = '30s'");
            drop(sql, name);
        }
    }

    private static void drop(Statement sql, String watch) throws SQLException {
        sql.execute("DROP TRIGGER IF EXISTS " + watch + " ON outbox_event");
        sql.execute("DROP FUNCTION IF EXISTS " + watch + "()");
        sql.execute("DROP TABLE IF EXISTS " + watch);
    }
}
