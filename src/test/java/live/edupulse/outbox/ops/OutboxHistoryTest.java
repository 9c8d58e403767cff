package live.edupulse.outbox.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxHistoryTest {

    private static final Instant NOON = Instant.parse("2026-11-30T12:00:00Z");

    private final MovableClock clock = new MovableClock(NOON.plusSeconds(10));
    private final OutboxHistory history = new OutboxHistory(clock);

    @Test
    void countsAddUpPerMinuteAndTheBacklogKeepsTheMinutesLargest() {
        history.record(5, 1);
        history.record(3, 0);
        history.recordInboxApplied(1);
        history.recordInboxApplied(1);
        history.sample(new Backlog(40, 1, 2.5, 1));
        history.sample(new Backlog(10, 1, 7.0, 1));
        clock.advance(Duration.ofMinutes(1));
        history.record(2, 2);

        List<OutboxHistory.Minute> hour = history.lastHour();
        assertEquals(60, hour.size());
        OutboxHistory.Minute noon = hour.get(58);
        assertEquals(NOON.toEpochMilli(), noon.startMillis());
        assertEquals(8, noon.published());
        assertEquals(1, noon.failed());
        assertEquals(40L, noon.pending());
        assertEquals(7.0, noon.oldestPendingAgeSeconds());
        assertEquals(2, noon.inboxApplied());
        OutboxHistory.Minute now = hour.get(59);
        assertEquals(2, now.published());
        assertEquals(2, now.failed());
        assertNull(now.pending(), "no backlog count in this minute yet");
        assertEquals(0, now.inboxApplied());
    }

    @Test
    void aMinuteAnHourOldIsForgottenWhenItsSlotComesRound() {
        history.record(5, 0);
        clock.advance(Duration.ofMinutes(60));
        history.record(1, 0);

        List<OutboxHistory.Minute> hour = history.lastHour();
        assertEquals(1, hour.get(59).published());
        assertEquals(0, hour.stream().limit(59).mapToLong(OutboxHistory.Minute::published).sum());
        assertEquals(NOON.plus(Duration.ofMinutes(1)).toEpochMilli(), hour.get(0).startMillis());
    }

    @Test
    void aBacklogNeverCountedIsNotAZero() {
        history.sample(Backlog.UNKNOWN);
        assertNull(history.lastHour().get(59).pending());
    }

    private static final class MovableClock extends Clock {

        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
