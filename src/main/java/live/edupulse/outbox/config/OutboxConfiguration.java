package live.edupulse.outbox.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * The validated {@link OutboxSettings} of this deployment, read from MicroProfile Config on first
 * use (the startup beans use it while the application deploys, so an invalid value fails the
 * deployment). Values come from system properties, environment variables (e.g.
 * {@code OUTBOX_DISPATCH_BATCH_SIZE}) or the defaults file, in MicroProfile Config's order.
 */
@ApplicationScoped
public class OutboxConfiguration {

    @Inject
    Config config;

    private volatile OutboxSettings settings;
    private volatile InboxSettings inbox;
    private volatile ReplaySettings replay;

    public OutboxSettings settings() {
        OutboxSettings read = settings;
        if (read == null) {
            read = OutboxSettings.read(key -> config.getOptionalValue(key, String.class));
            settings = read;
        }
        return read;
    }

    /** The inbox's settings, read and validated on first use. */
    public InboxSettings inbox() {
        InboxSettings read = inbox;
        if (read == null) {
            read = InboxSettings.read(key -> config.getOptionalValue(key, String.class));
            inbox = read;
        }
        return read;
    }

    /** The replay's settings, read and validated on first use. */
    public ReplaySettings replay() {
        ReplaySettings read = replay;
        if (read == null) {
            read = ReplaySettings.read(key -> config.getOptionalValue(key, String.class));
            replay = read;
        }
        return read;
    }
}
