package live.edupulse.outbox.ops;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Counts the backlog every few seconds (called by {@link OperationsTimer}) and keeps the result, so
 * health probes and metric scrapes never run a count of their own. The query reads only the
 * partial pending index's rows, whatever the dispatched history.
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

    private static final Logger LOG = Logger.getLogger(BacklogMonitor.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    private volatile Backlog last = Backlog.UNKNOWN;
    private volatile boolean failing;

    public Backlog backlog() {
        return last;
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

    void refresh() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(COUNT_SQL);
             ResultSet row = count.executeQuery()) {
            row.next();
            last = new Backlog(row.getLong(1), row.getLong(2), row.getDouble(3), System.currentTimeMillis());
            failing = false;
        } catch (SQLException e) {
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "Cannot count the outbox backlog: " + e.getMessage());
            }
        }
    }
}
