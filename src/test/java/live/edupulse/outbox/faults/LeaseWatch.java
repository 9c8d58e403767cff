package live.edupulse.outbox.faults;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import live.edupulse.outbox.testing.OutboxTable;

/**
 * Collects, on its own thread, every event seen leased (claimed, not yet settled) from the moment
 * it is opened until it is stopped. A fault is injected and restored while a watch is open, so an
 * event leased at any moment of the fault, including while a blocking injection such as
 * {@code rabbitmqctl stop_app} was still running, is in {@link #stop()}'s answer.
 */
final class LeaseWatch {

    private final OutboxTable table;
    private final Set<String> seen = new HashSet<>();
    private final AtomicReference<SQLException> failure = new AtomicReference<>();
    private final Thread sampler;
    private volatile boolean open = true;

    LeaseWatch(OutboxTable table) throws SQLException {
        this.table = table;
        seen.addAll(table.leased());
        sampler = new Thread(this::sample, "lease-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (open) {
            try {
                Set<String> now = table.leased();
                synchronized (seen) {
                    seen.addAll(now);
                }
            } catch (SQLException e) {
                // the database may be the fault itself; the last sample after stop() still counts
                failure.set(e);
            }
        }
    }

    /** Stops sampling, takes a last sample, and returns every event seen leased. */
    Set<String> stop() throws SQLException {
        open = false;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (seen) {
            seen.addAll(table.leased());
            return new HashSet<>(seen);
        }
    }
}
