package live.edupulse.outbox.ops;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.config.RetentionSettings;
import live.edupulse.outbox.dispatch.OutboxStore;

/**
 * Housekeeping ticks: the backlog count every 5 seconds (kept for the last hour's charts too), retention every 10 seconds (chunks of
 * {@code outbox.retention.chunk-size} until none is left or 5 seconds have passed). Non-persistent
 * timers: a missed tick is not replayed.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class OperationsTimer {

    private static final Logger LOG = Logger.getLogger(OperationsTimer.class.getName());
    private static final long RETENTION_BUDGET_NANOS = 5_000_000_000L;

    @Inject
    BacklogMonitor backlog;

    @Inject
    OutboxMetrics metrics;

    @Inject
    OutboxStore store;

    @Inject
    OutboxHistory history;

    @Inject
    OutboxConfiguration configuration;

    private final AtomicBoolean retaining = new AtomicBoolean();
    private volatile String retentionFailure;

    @PostConstruct
    void start() {
        backlog.refresh();
    }

    @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false, info = "outbox-backlog-count")
    void countBacklog() {
        backlog.refresh();
        history.sample(backlog.backlog());
        metrics.forgetStale();
    }

    @Schedule(hour = "*", minute = "*", second = "*/10", persistent = false, info = "outbox-retention")
    void applyRetention() {
        RetentionSettings settings = configuration.settings().retention();
        if (!settings.enabled() || !retaining.compareAndSet(false, true)) {
            return;
        }
        try {
            long started = System.nanoTime();
            int deleted;
            do {
                deleted = store.deleteDispatched(settings.dispatchedAge(), settings.chunkSize());
            } while (deleted == settings.chunkSize() && System.nanoTime() - started < RETENTION_BUDGET_NANOS);
            retentionFailure = null;
        } catch (RuntimeException e) {
            if (retentionFailure == null) {
                retentionFailure = e.getMessage();
                LOG.warning("Outbox retention failed (will retry every 10 s): " + e.getMessage());
            }
        } finally {
            retaining.set(false);
        }
    }
}
