package live.edupulse.outbox.broker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One channel's worth of publishing: a batch is pipelined on a confirm-mode channel and its
 * confirms awaited. Lanes publish concurrently over one connection; one lane is used by one thread
 * at a time.
 *
 * <p>Every message gets an outcome, and a failure is attributed to the message that caused it:
 * <ul>
 *   <li>a message the client cannot encode is {@link PublishOutcome.Refused}; the channel is
 *       retired (its delivery tags may be one ahead of the broker's) after the confirms of what
 *       was published on it before, and the batch goes on on a new channel;</li>
 *   <li>when the broker closes the channel with {@code 406 PRECONDITION_FAILED} (a message over
 *       {@code max_message_size}, for example), the batch's unconfirmed messages are published
 *       again one at a time, each awaited before the next: the one that closes the channel alone
 *       is {@link PublishOutcome.Refused}, the others get their own outcomes;</li>
 *   <li>a message that failed in an earlier attempt is always published alone, so it cannot take
 *       neighbours down with it a second time;</li>
 *   <li>after a message's failure, later messages of its ordering key are
 *       {@link PublishOutcome.Withheld}, not published;</li>
 *   <li>anything else (not connected, blocked, connection lost, other channel errors, no confirm
 *       in time, deadline) is {@link PublishOutcome.Unconfirmed} for the rest of the batch: a
 *       broker-wide condition.</li>
 * </ul>
 */
public final class PublishingLane {

    /** Opens a new channel on the current connection. */
    @FunctionalInterface
    interface ChannelOpener {
        Channel open() throws IOException;
    }

    private final ChannelOpener opener;
    private final String exchange;
    private final Duration confirmTimeout;
    /** Why nothing may be published right now (the broker blocks publishers), or null. */
    private final Supplier<String> blockedReason;

    private ConfirmingChannel channel;

    PublishingLane(ChannelOpener opener, String exchange, Duration confirmTimeout, Supplier<String> blockedReason) {
        this.opener = opener;
        this.exchange = exchange;
        this.confirmTimeout = confirmTimeout;
        this.blockedReason = blockedReason;
    }

    /**
     * Publishes {@code messages} in order and waits for their confirms.
     *
     * @param publishUntilNanos  no message is handed to the broker after this {@link System#nanoTime()}
     * @param confirmsUntilNanos confirms are awaited until this instant at the latest
     * @return an outcome for every message (an interrupt makes the unconfirmed ones
     *         {@link PublishOutcome.Unconfirmed} and stays set on the thread)
     */
    public Map<String, PublishOutcome> publish(List<OutboundMessage> messages, long publishUntilNanos,
                                               long confirmsUntilNanos) {
        return publish(messages, publishUntilNanos, confirmsUntilNanos, () -> { });
    }

    /**
     * As {@link #publish(List, long, long)}, and runs {@code whileConfirmsPending} once on the calling
     * thread as soon as every message has been handed to the broker, before the wait for their
     * confirms: work that overlaps the broker's write to disk. It is not run when the batch fails
     * broker-wide before that point.
     */
    public Map<String, PublishOutcome> publish(List<OutboundMessage> messages, long publishUntilNanos,
                                               long confirmsUntilNanos, Runnable whileConfirmsPending) {
        Batch batch = new Batch(messages, publishUntilNanos, confirmsUntilNanos, whileConfirmsPending);
        batch.run();
        if (channel != null && !channel.isUsable()) {
            discardChannel();
        }
        return batch.outcomes;
    }

    /** The state of one {@link #publish} call. */
    private final class Batch {

        final Map<String, PublishOutcome> outcomes = new HashMap<>();
        final Deque<OutboundMessage> pending;
        final Map<String, OutboundMessage> byId = new HashMap<>();
        final Set<String> failedKeys = new HashSet<>();
        final long publishUntil;
        final long confirmsUntil;
        /** After the broker closed a channel because of one of them: every message goes alone. */
        boolean oneAtATime;
        /** The broker, not a message, is in trouble: nothing more is published in this batch. */
        String brokerWideFailure;
        /** Run once, when every message has been handed over for the first time; null after. */
        Runnable whileConfirmsPending;

        Batch(List<OutboundMessage> messages, long publishUntil, long confirmsUntil, Runnable whileConfirmsPending) {
            this.pending = new ArrayDeque<>(messages);
            this.publishUntil = publishUntil;
            this.confirmsUntil = confirmsUntil;
            this.whileConfirmsPending = whileConfirmsPending;
            messages.forEach(message -> byId.put(message.messageId(), message));
        }

        void run() {
            while (!pending.isEmpty()) {
                publishNext();
                if (pending.isEmpty() && channel != null && channel.hasUnsettled()) {
                    handedOver();
                    settle(false);
                }
            }
        }

        private void handedOver() {
            Runnable work = whileConfirmsPending;
            whileConfirmsPending = null;
            if (work != null && brokerWideFailure == null) {
                work.run();
            }
        }

        private void publishNext() {
            OutboundMessage message = pending.peekFirst();
            if (failedKeys.contains(message.orderingKey())) {
                outcomes.put(pending.pollFirst().messageId(), new PublishOutcome.Withheld());
                return;
            }
            String refusal = brokerWideFailure != null ? brokerWideFailure : refusalBeforePublish(publishUntil);
            if (refusal != null) {
                brokerWide(refusal);
                return;
            }
            if (channel != null && !channel.isUsable() && channel.hasUnsettled()) {
                settle(false); // what it carried is decided before it is replaced
                return;
            }
            ConfirmingChannel publishing;
            try {
                publishing = usableChannel();
            } catch (IOException | RuntimeException e) {
                brokerWide("no channel: " + e.getMessage());
                return;
            }
            boolean alone = oneAtATime || message.failedBefore();
            if (alone && publishing.hasUnsettled()) {
                settle(false);
                return;
            }
            pending.pollFirst();
            try {
                publishing.publish(exchange, message);
            } catch (MessageRefusedException e) {
                failed(message, new PublishOutcome.Refused(e.getMessage()));
                settle(false);
                return;
            } catch (IOException e) {
                pending.addFirst(message);
                boolean causedByAMessage = publishing.closedByBrokerForAMessage() != null;
                settle(false);
                if (!causedByAMessage || alone) {
                    brokerWide("publish failed: " + e.getMessage());
                }
                return;
            }
            if (alone) {
                settle(true);
            }
        }

        /**
         * Collects the outcomes of what is unsettled on the lane's channel. When the broker closed
         * it because of a message, the unconfirmed ones go back to the front of the queue, to be
         * published one at a time, unless only one was unsettled ({@code alone}): that one is the
         * cause. Otherwise an unconfirmed message is a broker-wide failure.
         */
        private void settle(boolean alone) {
            ConfirmingChannel publishing = channel;
            Map<String, PublishOutcome> settled;
            try {
                settled = publishing.awaitUnsettled(confirmDeadlineFromNow());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                PublishOutcome unknown = new PublishOutcome.Unconfirmed("interrupted while waiting for confirms");
                publishing.abandonUnsettled().forEach(id -> outcomes.put(id, unknown));
                brokerWide("interrupted while waiting for confirms");
                discardChannel();
                return;
            }
            String refusedBecause = brokerWideFailure == null ? publishing.closedByBrokerForAMessage() : null;
            Deque<OutboundMessage> again = new ArrayDeque<>();
            for (Map.Entry<String, PublishOutcome> entry : settled.entrySet()) {
                OutboundMessage message = byId.get(entry.getKey());
                PublishOutcome outcome = entry.getValue();
                if (!(outcome instanceof PublishOutcome.Unconfirmed unconfirmed)) {
                    if (outcome.isFailureOfTheMessage()) {
                        failed(message, outcome);
                    } else {
                        outcomes.put(message.messageId(), outcome);
                    }
                } else if (refusedBecause == null) {
                    outcomes.put(message.messageId(), unconfirmed);
                    if (brokerWideFailure == null) {
                        brokerWideFailure = unconfirmed.reason();
                    }
                } else if (alone) {
                    failed(message, new PublishOutcome.Refused(refusedBecause));
                    oneAtATime = false; // found: the rest may go pipelined again (another culprit is found the same way)
                } else {
                    again.addLast(message);
                }
            }
            if (!again.isEmpty()) {
                oneAtATime = true;
                again.descendingIterator().forEachRemaining(pending::addFirst);
            }
            if (!publishing.isUsable()) {
                discardChannel();
            }
        }

        /** Each wait for confirms gets the confirm timeout, within the batch's own deadline. */
        private long confirmDeadlineFromNow() {
            return Math.min(confirmsUntil, System.nanoTime() + confirmTimeout.toNanos());
        }

        private void failed(OutboundMessage message, PublishOutcome outcome) {
            outcomes.put(message.messageId(), outcome);
            failedKeys.add(message.orderingKey());
        }

        /**
         * Nothing more is published in this batch: everything pending is unconfirmed. What is
         * already on the channel is still awaited.
         */
        private void brokerWide(String reason) {
            if (brokerWideFailure == null) {
                brokerWideFailure = reason;
            }
            PublishOutcome unknown = new PublishOutcome.Unconfirmed(reason);
            for (OutboundMessage message : pending) {
                outcomes.putIfAbsent(message.messageId(), unknown);
            }
            pending.clear();
        }
    }

    private String refusalBeforePublish(long publishUntilNanos) {
        String blocked = blockedReason.get();
        if (blocked != null) {
            return "broker blocks publishers: " + blocked;
        }
        if (System.nanoTime() - publishUntilNanos > 0) {
            return "lease deadline reached before this message was published";
        }
        return null;
    }

    /**
     * The lane's channel, or a new one when it has none or the one it has is unusable and carries
     * nothing unsettled. An unusable channel that still carries unsettled messages is returned as
     * it is: the broker may close it between the caller's earlier look and this one, and what it
     * carried must be settled (publishing on it fails and leads there) before it is replaced, or
     * their outcomes would be lost and later messages of their aggregates go first.
     */
    private ConfirmingChannel usableChannel() throws IOException {
        if (channel != null && !channel.isUsable() && !channel.hasUnsettled()) {
            discardChannel();
        }
        if (channel == null) {
            channel = ConfirmingChannel.open(opener.open());
        }
        return channel;
    }

    private void discardChannel() {
        ConfirmingChannel old = channel;
        channel = null;
        if (old != null) {
            old.abort();
        }
    }
}
