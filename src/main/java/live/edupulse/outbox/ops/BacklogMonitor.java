package live.edupulse.outbox.ops;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Counts the backlog every few seconds (called by {@link OperationsTimer}) and keeps the result, so
 * health probes and metric scrapes never run a count of their own. The query reads only the
 * partial pending index's rows, whatever the dispatched history; the inbox's parked events are
 * counted from its partial index of open messages.
 *
 * <p>Created while the application starts ({@link OperationsTimer}), in the application's naming
 * context: health checks run on the server's management threads, where resource injection
 * would fail.
 */
@ApplicationScoped
public class BacklogMonitor {

    static final String COUNT_SQL = """
            SELECT count(*) FILTER (WHERE parked_at IS NULL),
                   count(*) FILTER (WHERE parked_at IS NOT NULL),
                   COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at) FILTER (WHERE parked_at IS NULL)), 0)
              FROM outbox_event
             WHERE dispatched_at IS NULL
            """;

    /** Parked inbox events per consumer, from the partial index of open messages. */
    static final String INBOX_PARKED_SQL = """
            SELECT consumer, count(*) FROM inbox_message WHERE status = 'parked' GROUP BY consumer
            """;

    private static final Logger LOG = Logger.getLogger(BacklogMonitor.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    private volatile Backlog last = Backlog.UNKNOWN;
    private volatile Map<String, Long> inboxParked = Map.of();
    private volatile boolean failing;

    public Backlog backlog() {
        return last;
    }

    /** The consumer's parked inbox events at the last count (0 before the first). */
    public long inboxParked(String consumer) {
        return inboxParked.getOrDefault(consumer, 0L);
    }

    /**
     * Asks the database for a valid connection (2 s at most).
     *
     * @return null when it answers, else a fixed reason (never the driver's message)
     */
    public String databaseProblem() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2) ? null : "the database did not validate a connection within 2 s";
        } catch (SQLException e) {
            return "no database connection";
        }
    }

    private static Map<String, Long> countInboxParked(Connection connection) throws SQLException {
        Map<String, Long> parked = new HashMap<>();
        try (PreparedStatement count = connection.prepareStatement(INBOX_PARKED_SQL); ResultSet rows = count.executeQuery()) {
            while (rows.next()) {
                parked.put(rows.getString(1), rows.getLong(2));
            }
        }
        return Map.copyOf(parked);
    }

    void refresh() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(COUNT_SQL);
             ResultSet row = count.executeQuery()) {
            row.next();
            last = new Backlog(row.getLong(1), row.getLong(2), row.getDouble(3), System.currentTimeMillis());
            inboxParked = countInboxParked(connection);
            failing = false;
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "Cannot count the outbox backlog and the inbox's parked events: " + e.getMessage());
            }
        }
    }
}
