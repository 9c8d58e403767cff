package live.edupulse;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The WAR's REST root, {@code /edupulse/api}: the learning API ({@code /pulses}) and the outbox
 * admin API ({@code /outbox}, {@code /inbox}). Every resource in the WAR is served (no class list),
 * so neither part depends on the other; {@link ProblemMapper} answers each API's failures in that
 * API's own words.
 */
@ApplicationPath("/api")
public class RestApi extends Application {
}
