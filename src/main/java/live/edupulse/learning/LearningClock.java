package live.edupulse.learning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;

/**
 * The clock the learning domain stamps times with: UTC, ticking in microseconds, the precision the
 * database stores, so a pulse reads back exactly as it was returned when created.
 */
@ApplicationScoped
public class LearningClock {

    @Produces
    @LearningTime
    Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }
}
