package live.edupulse.outbox.ops;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Deletes one chunk of old dispatched rows per call, in a short transaction of its own. Rows
 * another transaction holds are skipped, so retention never waits on (or blocks) the dispatcher;
 * pending and parked rows have no {@code dispatched_at} and are never touched; discarded rows are
 * kept as the record of an operator's decision.
 */
@ApplicationScoped
public class RetentionStore {

    /** Deletes a chunk and moves the retention horizon (see V9) to the latest deleted dispatch; returns the count. */
    static final String DELETE_SQL = """
            WITH deleted AS (
                DELETE FROM outbox_event
                 WHERE id IN (SELECT id FROM outbox_event
                               WHERE dispatched_at < now() - make_interval(secs => ?) AND discarded_at IS NULL
                               LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING dispatched_at),
            horizon AS (
                UPDATE outbox_control SET retention_horizon = greatest(retention_horizon,
                                                                       (SELECT max(dispatched_at) FROM deleted))
                 WHERE id = 1 AND EXISTS (SELECT 1 FROM deleted))
            SELECT count(*) FROM deleted
            """;

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    /** @return rows deleted */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int deleteChunk(Duration olderThan, int chunkSize) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(DELETE_SQL)) {
            delete.setDouble(1, olderThan.toMillis() / 1000.0);
            delete.setInt(2, chunkSize);
            try (java.sql.ResultSet count = delete.executeQuery()) {
                count.next();
                return count.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("retention delete failed: " + e.getMessage(), e);
        }
    }
}
