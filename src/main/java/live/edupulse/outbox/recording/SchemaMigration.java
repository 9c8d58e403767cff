package live.edupulse.outbox.recording;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import javax.sql.DataSource;
import live.edupulse.outbox.config.OutboxConfiguration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned SQL migrations ({@code db/migration} in the WAR) while the application
 * deploys, outside any JTA transaction, before anything else of the outbox starts. Flyway's lock
 * makes concurrent deployments of several instances safe. With {@code outbox.schema.migrate=false}
 * it does nothing and a DBA applies the same SQL files.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SchemaMigration {

    static final String HISTORY_TABLE = "edupulse_schema_history";

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
        MigrateResult result = Flyway.configure(SchemaMigration.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                .load()
                .migrate();
        LOG.info(() -> "Schema at version " + result.targetSchemaVersion + " (" + result.migrationsExecuted
                + " migrations applied now)");
    }
}
