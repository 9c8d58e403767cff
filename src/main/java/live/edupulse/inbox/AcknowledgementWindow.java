package live.edupulse.inbox;

import java.io.IOException;
import java.util.Collection;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Which deliveries of one consumer's channel a multiple acknowledgement may cover, when batches are
 * decided out of the order they arrived in (a listener's partitions decide theirs independently).
 * Tags keep rising across the client's automatic recovery (it offsets the new channel's tags and
 * drops acknowledgements of tags from before), so one window serves the channel for its lifetime.
 *
 * <p>Every delivery is {@linkplain #received received} before it is handed to a partition. A
 * delivery decided in a committed batch waits for acknowledgement until every delivery received
 * before it is decided too, then goes with one multiple acknowledgement of the highest such tag.
 * A delivery settled on its own (acknowledged, rejected or returned to the queue one by one) only
 * stops holding the others back. A delivery never decided (the application is stopping) holds back
 * everything received after it: the broker delivers all of it again, and the inbox recognizes what
 * it already applied.
 *
 * <p>Acknowledgements are sent while the window's lock is held, so they reach the channel in the
 * order of their tags: a multiple acknowledgement that arrived after a higher one would name a tag
 * the broker no longer knows, and the broker would close the channel.
 */
final class AcknowledgementWindow {

    /** Sends {@code basic.ack(tag, multiple = true)}. */
    @FunctionalInterface
    interface MultipleAcknowledgement {
        void upTo(long tag) throws IOException;
    }

    private final MultipleAcknowledgement send;
    private final TreeSet<Long> undecided = new TreeSet<>();
    private final TreeSet<Long> decided = new TreeSet<>();

    AcknowledgementWindow(MultipleAcknowledgement send) {
        this.send = send;
    }

    /** A delivery arrived and will be decided. */
    synchronized void received(long tag) {
        undecided.add(tag);
    }

    /** Deliveries whose batch committed: acknowledged, together with what they held back, once nothing before them is undecided. */
    synchronized void decided(Collection<Long> tags) throws IOException {
        for (Long tag : tags) {
            undecided.remove(tag);
            decided.add(tag);
        }
        acknowledgeReady();
    }

    /** A delivery settled by itself: it holds nothing back any more. */
    synchronized void settledAlone(long tag) throws IOException {
        undecided.remove(tag);
        acknowledgeReady();
    }

    /** Deliveries received and not yet decided. */
    synchronized int undecided() {
        return undecided.size();
    }

    private void acknowledgeReady() throws IOException {
        NavigableSet<Long> ready = undecided.isEmpty() ? decided : decided.headSet(undecided.first(), false);
        if (ready.isEmpty()) {
            return;
        }
        long upTo = ready.last();
        ready.clear();
        send.upTo(upTo);
    }
}
