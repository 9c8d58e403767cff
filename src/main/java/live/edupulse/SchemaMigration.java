package live.edupulse;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import live.edupulse.outbox.config.OutboxConfiguration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned SQL migrations of every module while the application deploys, outside any
 * JTA transaction, before the beans that start with the application (they are
 * {@code @DependsOn("SchemaMigration")}, by this simple name). Each module keeps its migrations in its own
 * folder, {@code db/migration/<module>} in the WAR ({@link #MODULES}), with an empty
 * {@code flyway.location} marker through which Flyway finds the folder on Open Liberty; Flyway
 * applies all folders as one schema with one history table, {@value #HISTORY_TABLE}, in version
 * order. So versions are unique across the folders: a new migration takes the next free version,
 * whatever its module. Flyway's lock makes concurrent deployments of several instances safe. With
 * {@code outbox.schema.migrate=false} it does nothing and a DBA applies the same SQL files in
 * version order. A database not reachable yet is retried for {@code outbox.schema.connect-retry}
 * before the deployment fails.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SchemaMigration {

    static final String HISTORY_TABLE = "edupulse_schema_history";

    /** The modules with migrations: each a folder {@code db/migration/<module>} on the classpath. */
    static final List<String> MODULES = List.of("outbox", "learning", "inbox");

    private static final Logger LOG = Logger.getLogger(SchemaMigration.class.getName());

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @Inject
    OutboxConfiguration configuration;

    @PostConstruct
    void migrate() {
        if (!configuration.settings().migrateSchema()) {
            LOG.info("Schema migrations are left to the DBA (outbox.schema.migrate=false)");
            return;
        }
        awaitDatabase(configuration.settings().database().schemaConnectRetry());
        MigrateResult result = Flyway.configure(SchemaMigration.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MODULES.stream().map(module -> "classpath:db/migration/" + module).toArray(String[]::new))
                .table(HISTORY_TABLE)
                .load()
                .migrate();
        LOG.info(() -> "Schema at version " + result.targetSchemaVersion + " (" + result.migrationsExecuted
                + " migrations applied now)");
    }

    /**
     * Waits until the datasource hands out a valid connection: a database that comes up a little
     * after the server (containers started together, a failover) does not fail the deployment.
     * Retries with a delay doubling from 250 ms up to 5 s, for {@code retryFor} at most.
     *
     * @throws IllegalStateException after {@code retryFor} without a connection, saying why in one
     *                               line (the same line is logged at SEVERE)
     */
    void awaitDatabase(Duration retryFor) {
        long deadline = System.nanoTime() + retryFor.toNanos();
        long delayMillis = 250;
        int attempts = 0;
        while (true) {
            attempts++;
            String problem;
            try (Connection connection = dataSource.getConnection()) {
                if (connection.isValid(5)) {
                    if (attempts > 1) {
                        LOG.info("Database reachable after " + attempts + " attempts; migrating the schema");
                    }
                    return;
                }
                problem = "the database did not validate a connection within 5 s";
            } catch (SQLException e) {
                problem = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String why = "Cannot migrate the outbox schema: no database connection after " + attempts
                        + " attempts in " + shown(retryFor) + " (outbox.schema.connect-retry); last error: " + problem;
                LOG.severe(why);
                throw new IllegalStateException(why);
            }
            if (attempts == 1) {
                String firstProblem = problem;
                LOG.warning(() -> "Database not reachable yet (" + firstProblem + "); retrying for up to "
                        + shown(retryFor) + " (outbox.schema.connect-retry)");
            }
            try {
                Thread.sleep(Math.min(delayMillis, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Cannot migrate the outbox schema: interrupted while waiting for the database");
            }
            delayMillis = Math.min(delayMillis * 2, 5000);
        }
    }

    private static String shown(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
