package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static RetryPolicy policy(double random) {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), 5, () -> random);
    }

    @Test
    void delayDoublesPerFailedAttemptWithinItsJitterBand() {
        // lowest jitter: half the nominal delay; highest: just under all of it
        assertEquals(Duration.ofMillis(500), policy(0.0).delayAfter(1));
        assertEquals(Duration.ofMillis(1000), policy(0.0).delayAfter(2));
        assertEquals(Duration.ofMillis(2000), policy(0.0).delayAfter(3));
        assertEquals(Duration.ofMillis(999), policy(0.999).delayAfter(1));
        assertEquals(Duration.ofMillis(3998), policy(0.999).delayAfter(3));
    }

    @Test
    void delayIsCapped() {
        assertEquals(Duration.ofMinutes(5), policy(1.0).delayAfter(20));
        assertEquals(Duration.ofMinutes(5), policy(1.0).delayAfter(Integer.MAX_VALUE));
        assertEquals(Duration.ofSeconds(150), policy(0.0).delayAfter(1000));
    }

    @Test
    void exhaustedAtTheMaximumAttempts() {
        assertFalse(policy(0.5).exhausted(4));
        assertTrue(policy(0.5).exhausted(5));
        assertTrue(policy(0.5).exhausted(6));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> policy(0.5).delayAfter(0));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 3, () -> 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 3, () -> 0.5));
    }
}
