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

    public OutboxSettings settings() {
        OutboxSettings read = settings;
        if (read == null) {
            read = OutboxSettings.read(key -> config.getOptionalValue(key, String.class));
            settings = read;
        }
        return read;
    }
}
