package live.edupulse.outbox.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import live.edupulse.inbox.InboxApplied;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import live.edupulse.outbox.dispatch.BatchSettled;

/**
 * The last hour, minute by minute, for the admin page's charts: events published and failed
 * attempts on this instance (from {@link BatchSettled}), and the backlog as counted every 5 s
 * (pending and oldest pending age: the largest of the minute). Kept in memory, {@value #MINUTES}
 * slots reused in a ring; a minute with no backlog count shows none. Thread-safe.
 */
@ApplicationScoped
public class OutboxHistory {

    static final int MINUTES = 60;
    private static final long MINUTE_MILLIS = 60_000;

    /**
     * One minute of the last hour.
     *
     * @param startMillis             the minute's start (epoch milliseconds)
     * @param published               events this instance published in it
     * @param failed                  failed delivery attempts in it
     * @param pending                 the largest pending count of the minute, null when not counted
     * @param oldestPendingAgeSeconds the largest oldest-pending age of the minute, null when not counted
     * @param inboxApplied            events this instance's inbox consumers applied in it
     */
    public record Minute(long startMillis, long published, long failed, Long pending, Double oldestPendingAgeSeconds,
                         long inboxApplied) {
    }

    private final Clock clock;
    private final long[] start = new long[MINUTES];
    private final long[] published = new long[MINUTES];
    private final long[] failed = new long[MINUTES];
    private final long[] pending = new long[MINUTES];
    private final double[] oldest = new double[MINUTES];
    private final boolean[] counted = new boolean[MINUTES];
    private final long[] inboxApplied = new long[MINUTES];

    public OutboxHistory() {
        this(Clock.systemUTC());
    }

    OutboxHistory(Clock clock) {
        this.clock = clock;
    }

    void settled(@Observes BatchSettled batch) {
        record(batch.delivered().size(), batch.failedAttempts());
    }

    void inboxApplied(@Observes InboxApplied applied) {
        recordInboxApplied(applied.events());
    }

    synchronized void recordInboxApplied(long events) {
        inboxApplied[slot()] += events;
    }

    synchronized void record(long publishedEvents, long failedAttempts) {
        int slot = slot();
        published[slot] += publishedEvents;
        failed[slot] += failedAttempts;
    }

    /** A backlog count; counts of no value (never counted yet) are ignored. */
    synchronized void sample(Backlog backlog) {
        if (backlog.countedAtMillis() == 0) {
            return;
        }
        int slot = slot();
        pending[slot] = counted[slot] ? Math.max(pending[slot], backlog.pending()) : backlog.pending();
        oldest[slot] = counted[slot] ? Math.max(oldest[slot], backlog.oldestPendingAgeSeconds()) : backlog.oldestPendingAgeSeconds();
        counted[slot] = true;
    }

    /** The last {@value #MINUTES} minutes, oldest first, the current (partial) minute last. */
    public synchronized List<Minute> lastHour() {
        long now = minuteOf(clock.millis());
        List<Minute> minutes = new ArrayList<>(MINUTES);
        for (long minute = now - (MINUTES - 1) * MINUTE_MILLIS; minute <= now; minute += MINUTE_MILLIS) {
            int slot = index(minute);
            if (start[slot] == minute) {
                minutes.add(new Minute(minute, published[slot], failed[slot], counted[slot] ? pending[slot] : null,
                        counted[slot] ? oldest[slot] : null, inboxApplied[slot]));
            } else {
                minutes.add(new Minute(minute, 0, 0, null, null, 0));
            }
        }
        return minutes;
    }

    /** The current minute's slot, emptied first when it still holds a minute an hour old (or older). */
    private int slot() {
        long minute = minuteOf(clock.millis());
        int slot = index(minute);
        if (start[slot] != minute) {
            start[slot] = minute;
            published[slot] = 0;
            failed[slot] = 0;
            pending[slot] = 0;
            oldest[slot] = 0;
            counted[slot] = false;
            inboxApplied[slot] = 0;
        }
        return slot;
    }

    private static long minuteOf(long millis) {
        return Math.floorDiv(millis, MINUTE_MILLIS) * MINUTE_MILLIS;
    }

    private static int index(long minute) {
        return (int) Math.floorMod(minute / MINUTE_MILLIS, (long) MINUTES);
    }
}
