package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One confirm-mode channel and the bookkeeping of what was published on it. Used once: when a
 * publish call fails in any way, the channel is retired (its delivery tags may no longer match the
 * broker's), and the lane opens another.
 *
 * <p>Thread-safety: one publishing thread at a time; the tracker takes the client's callbacks.
 */
final class ConfirmingChannel {

    private static final Logger LOG = Logger.getLogger(ConfirmingChannel.class.getName());

    private final Channel channel;
    private final ConfirmTracker tracker = new ConfirmTracker();
    /** Published here, in order, with no outcome reported yet. */
    private final List<String> unsettled = new ArrayList<>();
    private boolean retired;

    private ConfirmingChannel(Channel channel) {
        this.channel = channel;
    }

    static ConfirmingChannel open(Channel channel) throws IOException {
        ConfirmingChannel confirming = new ConfirmingChannel(channel);
        channel.addShutdownListener(confirming.tracker);
        channel.addConfirmListener(confirming.tracker);
        channel.addReturnListener(confirming.tracker);
        try {
            channel.confirmSelect();
        } catch (IOException | RuntimeException e) {
            // a channel the application does not close stays on its connection, and recovery would
            // reopen it with every later recovery
            channel.abort();
            throw e;
        }
        return confirming;
    }

    /** False once retired, closed, or told by its tracker that it closed. */
    boolean isUsable() {
        return !retired && channel.isOpen() && !tracker.isClosed();
    }

    boolean hasUnsettled() {
        return !unsettled.isEmpty();
    }

    /**
     * Hands one message to the channel. Any failure retires the channel; what was published on it
     * before can still be awaited.
     *
     * @throws IOException             the channel or its connection failed (or was already closed)
     * @throws MessageRefusedException the client could not encode this message: its own failure
     */
    void publish(String exchange, OutboundMessage message)
            throws IOException, MessageRefusedException {
        if (!isUsable()) {
            throw new IOException("channel is closed");
        }
        long deliveryTag = channel.getNextPublishSeqNo();
        tracker.expect(deliveryTag, message.messageId());
        try {
            channel.basicPublish(exchange, message.routingKey(), true, message.properties(), message.body());
        } catch (IOException e) {
            retire(deliveryTag);
            throw e;
        } catch (ShutdownSignalException e) {
            retire(deliveryTag);
            throw new IOException("channel closed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            retire(deliveryTag);
            throw new MessageRefusedException("the client cannot send it: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        unsettled.add(message.messageId());
    }

    private void retire(long deliveryTag) {
        tracker.withdraw(deliveryTag);
        retired = true;
    }

    /**
     * Waits for the outcome of everything published here and not yet reported.
     *
     * @return outcomes in publishing order; {@link PublishOutcome.Unconfirmed} for whatever the
     *         broker did not decide about before the deadline or the channel's closing
     */
    Map<String, PublishOutcome> awaitUnsettled(long deadlineNanos) throws InterruptedException {
        Map<String, PublishOutcome> outcomes = tracker.await(unsettled, deadlineNanos);
        Map<String, PublishOutcome> ordered = new LinkedHashMap<>();
        for (String messageId : unsettled) {
            ordered.put(messageId, outcomes.get(messageId));
        }
        unsettled.clear();
        if (ordered.containsValue(null) || ordered.values().stream().anyMatch(PublishOutcome.Unconfirmed.class::isInstance)) {
            retired = true;
        }
        return ordered;
    }

    /** Forgets what is unsettled (the caller reports it as unknown) and retires the channel. */
    List<String> abandonUnsettled() {
        List<String> abandoned = List.copyOf(unsettled);
        unsettled.clear();
        retired = true;
        return abandoned;
    }

    /**
     * Why the broker closed this channel because of something published on it (a channel-level
     * {@code 406 PRECONDITION_FAILED}, such as a message over {@code max_message_size}), or null
     * when it is open or closed for another reason (connection lost, access refused, exchange
     * missing: broker-wide conditions).
     */
    String closedByBrokerForAMessage() {
        ShutdownSignalException cause = channel.getCloseReason();
        if (cause == null || cause.isHardError() || cause.isInitiatedByApplication()) {
            return null;
        }
        if (cause.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
            return "the broker closed the channel because of it: " + close.getReplyCode() + " " + close.getReplyText();
        }
        return null;
    }

    void abort() {
        retired = true;
        try {
            channel.abort();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing a retired channel", e);
        }
    }
}
