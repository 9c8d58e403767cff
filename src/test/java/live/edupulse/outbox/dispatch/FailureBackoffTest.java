package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FailureBackoffTest {

    private static final long INITIAL = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MAX = TimeUnit.SECONDS.toNanos(30);

    @Test
    void theFirstFailurePausesForTheInitialDelayAndEachFurtherOneDoublesIt() {
        assertEquals(INITIAL, FailureBackoff.pauseNanos(1, INITIAL, MAX));
        assertEquals(2 * INITIAL, FailureBackoff.pauseNanos(2, INITIAL, MAX));
        assertEquals(8 * INITIAL, FailureBackoff.pauseNanos(4, INITIAL, MAX));
    }

    @Test
    void thePauseNeverPassesTheMaximum() {
        assertEquals(MAX, FailureBackoff.pauseNanos(7, INITIAL, MAX));
        assertEquals(MAX, FailureBackoff.pauseNanos(1_000, INITIAL, MAX));
        assertEquals(MAX, FailureBackoff.pauseNanos(Integer.MAX_VALUE, INITIAL, MAX));
    }

    @Test
    void doublingStopsBeforeTheSignBit() {
        // a huge initial delay doubles once more at most, and never turns negative
        assertEquals(Long.MAX_VALUE - 1, FailureBackoff.pauseNanos(40, Long.MAX_VALUE / 2, Long.MAX_VALUE));
    }
}
