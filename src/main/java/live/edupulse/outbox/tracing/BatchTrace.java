package live.edupulse.outbox.tracing;

import java.util.List;
import java.util.Map;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.broker.PublishOutcome;

/**
 * The spans of one dispatcher batch, told its steps in order: claim, publish, settle, end (or a
 * failure at any step, then end). A batch whose claim took nothing leaves no span. {@link #OFF}
 * ignores everything and hands the messages back unchanged.
 */
public interface BatchTrace {

    /** Tracing off: no spans, no copies. */
    BatchTrace OFF = new BatchTrace() {
    };

    /** The claim statement starts now. */
    default void claimStarted() {
    }

    /** The claim returned {@code events} events of {@code aggregates} aggregates. */
    default void claimed(int events, long aggregates) {
    }

    /**
     * The messages are about to be published: one producer span each, a child of the trace the event
     * was recorded in (or a new trace), linked to this batch.
     *
     * @return the messages to publish, each carrying its producer span's {@code traceparent}
     */
    default List<OutboundMessage> publishing(List<OutboundMessage> messages) {
        return messages;
    }

    /** The outcome of every published message, by message id: ends their spans. */
    default void published(Map<String, PublishOutcome> outcomes) {
    }

    /** The settle transaction starts now. */
    default void settleStarted() {
    }

    /** What the settle changed. */
    default void settled(int dispatched, int failed, int released, int fencedOff) {
    }

    /** The batch failed at its current step. */
    default void failed(Throwable failure) {
    }

    /** The batch is over: every span still open ends. */
    default void end() {
    }
}
