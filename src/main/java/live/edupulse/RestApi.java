package live.edupulse;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The WAR's REST root, {@code /edupulse/api}: the learning API ({@code /pulses}) and the outbox
 * admin API ({@code /outbox}). Every resource in the WAR is served (no class list), so neither
 * part depends on the other.
 */
@ApplicationPath("/api")
public class RestApi extends Application {
}
