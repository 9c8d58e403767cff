package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Publisher-confirm bookkeeping for exactly one channel instance. Delivery tags are only meaningful
 * on the channel that assigned them (they restart at 1 on every new channel, including one that
 * automatic recovery reopened), so a tracker is never reused: once its channel shuts down, every
 * outstanding message is reported {@link PublishOutcome.Unconfirmed} and the publisher opens a new
 * channel with a new tracker.
 *
 * <p>A return carries no delivery tag; it is correlated by message-id, and arrives before the
 * confirm of the same message, which then settles as {@link PublishOutcome.Returned}.
 *
 * <p>Delivery tags are the client's count of publishes on the channel, and the broker counts the
 * messages it received. The two agree only while every publish call either reached the channel or
 * left the count alone: after {@link #withdraw} (a publish that failed, possibly after the client's
 * count advanced) the tracker refuses every further {@link #expect}, so the channel must be
 * discarded, and a confirm can never be credited to the wrong message.
 *
 * <p>Thread-safety: the publishing thread calls {@link #expect} and {@link #await}; the client's
 * dispatch thread calls the listener methods. All state is guarded by this object's monitor.
 */
final class ConfirmTracker implements ConfirmListener, ReturnListener, ShutdownListener {

    private final NavigableMap<Long, String> outstanding = new TreeMap<>();
    private final Map<String, PublishOutcome> outcomes = new HashMap<>();
    private final Map<String, String> returns = new HashMap<>();
    private String closedBecause;
    private boolean desynchronized;
    private long lastTag;

    /**
     * Registers the message about to be published with {@code deliveryTag}.
     *
     * @throws IllegalStateException after a {@link #withdraw}, or for a tag not above every earlier
     *                               one: the channel's count can no longer be trusted
     */
    synchronized void expect(long deliveryTag, String messageId) {
        if (desynchronized) {
            throw new IllegalStateException("a publish on this channel failed; its delivery tags may be off by one");
        }
        if (deliveryTag <= lastTag) {
            throw new IllegalStateException("delivery tag " + deliveryTag + " after " + lastTag);
        }
        lastTag = deliveryTag;
        outstanding.put(deliveryTag, messageId);
        outcomes.remove(messageId);
    }

    /**
     * Forgets a message whose publish call failed. The channel's count may have advanced without
     * the broker's: nothing more may be expected on this tracker.
     */
    synchronized void withdraw(long deliveryTag) {
        outstanding.remove(deliveryTag);
        desynchronized = true;
    }

    synchronized boolean isClosed() {
        return closedBecause != null;
    }

    @Override
    public synchronized void handleAck(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, true);
    }

    @Override
    public synchronized void handleNack(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, false);
    }

    @Override
    public synchronized void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
                                          AMQP.BasicProperties properties, byte[] body) {
        if (properties.getMessageId() != null) {
            returns.put(properties.getMessageId(), replyCode + " " + replyText + " (exchange '" + exchange
                    + "', routing key '" + routingKey + "')");
        }
    }

    @Override
    public synchronized void shutdownCompleted(ShutdownSignalException cause) {
        closedBecause = "channel closed before its confirm arrived: " + cause.getMessage();
        notifyAll();
    }

    private void settle(long deliveryTag, boolean multiple, boolean ack) {
        Map<Long, String> confirmed = multiple ? outstanding.headMap(deliveryTag, true) : singleton(deliveryTag);
        for (String messageId : confirmed.values()) {
            String returned = returns.remove(messageId);
            PublishOutcome outcome;
            if (!ack) {
                outcome = new PublishOutcome.Nacked("broker nacked the message (basic.nack)");
            } else if (returned != null) {
                outcome = new PublishOutcome.Returned(returned);
            } else {
                outcome = new PublishOutcome.Confirmed();
            }
            outcomes.put(messageId, outcome);
        }
        confirmed.clear();
        notifyAll();
    }

    private Map<Long, String> singleton(long deliveryTag) {
        return outstanding.subMap(deliveryTag, true, deliveryTag, true);
    }

    /**
     * Waits until every one of {@code messageIds} has an outcome, the channel closes, or the
     * deadline passes; whatever has no outcome then is {@link PublishOutcome.Unconfirmed}.
     *
     * @return an outcome for every id given
     */
    synchronized Map<String, PublishOutcome> await(Collection<String> messageIds, long deadlineNanos)
            throws InterruptedException {
        while (closedBecause == null && !allSettled(messageIds)) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Map<String, PublishOutcome> result = new HashMap<>();
        String missing = closedBecause != null ? closedBecause : "no publisher confirm before the confirm timeout";
        for (String messageId : messageIds) {
            PublishOutcome outcome = outcomes.remove(messageId);
            result.put(messageId, outcome != null ? outcome : new PublishOutcome.Unconfirmed(missing));
        }
        return result;
    }

    private boolean allSettled(Collection<String> messageIds) {
        for (String messageId : messageIds) {
            if (!outcomes.containsKey(messageId)) {
                return false;
            }
        }
        return true;
    }
}
