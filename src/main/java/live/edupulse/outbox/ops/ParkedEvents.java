package live.edupulse.outbox.ops;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import java.util.logging.Logger;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.dispatch.OutboxDispatcher;

/**
 * What an operator does with a parked event. A retry clears the park and the attempt count, so
 * the event (and behind it the rest of its aggregate, in order) goes out with the next drain.
 * Every action is logged with who took it.
 */
@ApplicationScoped
public class ParkedEvents {

    private static final Logger LOG = Logger.getLogger(ParkedEvents.class.getName());

    static final String RETRY_SQL = """
            UPDATE outbox_event
               SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
             WHERE id = ? AND parked_at IS NOT NULL AND dispatched_at IS NULL
            """;

    @Resource(lookup = "java:comp/DefaultDataSource")
    javax.sql.DataSource dataSource;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    OutboxConfiguration configuration;

    /**
     * One statement, committed on its own (call it outside a transaction); the dispatcher is
     * nudged after it. The statement runs under {@code outbox.admin.query-timeout}.
     *
     * @param operator who asks, for the log
     * @return whether the event was parked (and now is not)
     * @throws IllegalStateException when the statement fails, with the database's exception as its cause
     */
    @Transactional(Transactional.TxType.NOT_SUPPORTED)
    public boolean retry(UUID eventId, String operator) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement retry = connection.prepareStatement(RETRY_SQL)) {
            retry.setQueryTimeout(configuration.settings().admin().queryTimeoutSeconds());
            retry.setObject(1, eventId);
            boolean released = retry.executeUpdate() == 1;
            if (released) {
                LOG.info(() -> "Parked outbox event " + eventId + " released for retry by " + operator);
                dispatcher.requestDrain();
            }
            return released;
        } catch (SQLException e) {
            throw new IllegalStateException("retry of " + eventId + " failed: " + e.getMessage(), e);
        }
    }
}
