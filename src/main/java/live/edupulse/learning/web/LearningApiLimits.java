package live.edupulse.learning.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The learning API's request body limit, {@code learning.api.max-body-bytes}, read from
 * MicroProfile Config and checked while the application deploys: an invalid value fails the
 * deployment with a message naming the key.
 */
@ApplicationScoped
public class LearningApiLimits {

    static final String MAX_BODY_BYTES = "learning.api.max-body-bytes";

    /**
     * The largest limit that may be configured: what one request may hold in memory. The servers'
     * own ceiling (server-config, 10 MiB) is far above it, so the application's 413 answers first.
     */
    static final int MAX_LIMIT = 1_048_576;

    private static volatile Integer maxBodyBytes;

    void checkAtDeploy(@Observes @Initialized(ApplicationScoped.class) Object started) {
        maxBodyBytes = null;
        maxBodyBytes();
    }

    /** @throws IllegalArgumentException naming the key when its value is not a whole number in 1..1048576 */
    static int maxBodyBytes() {
        Integer read = maxBodyBytes;
        if (read == null) {
            read = parse(ConfigProvider.getConfig().getOptionalValue(MAX_BODY_BYTES, String.class));
            maxBodyBytes = read;
        }
        return read;
    }

    static int parse(Optional<String> value) {
        String raw = value.map(String::trim).orElseThrow(() -> invalid("no value (the default is 65536)"));
        try {
            int bytes = Integer.parseInt(raw);
            if (bytes >= 1 && bytes <= MAX_LIMIT) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw invalid("'" + raw + "' is not a whole number of bytes from 1 to " + MAX_LIMIT);
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("Invalid configuration " + MAX_BODY_BYTES + ": " + why);
    }
}
