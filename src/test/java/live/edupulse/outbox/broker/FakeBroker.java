package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQImpl;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory stand-in for the broker side of confirm-mode channels, for unit tests of the
 * lane's bookkeeping only. Like the real client, a channel advances its publish sequence before it
 * encodes a message, and refuses a routing key over 255 UTF-8 bytes after that; like the real
 * broker, it numbers only the messages it received, confirms them in order on another thread, and
 * closes a channel (406) on a body over {@link #maxBodyBytes}, dropping what follows on it.
 */
final class FakeBroker implements AutoCloseable {

    final Set<String> nacked = ConcurrentHashMap.newKeySet();
    /** Message ids in the order the broker accepted them (several times when published again). */
    final List<String> received = Collections.synchronizedList(new ArrayList<>());
    /** Message ids in the order the client handed them over (on the publishing thread). */
    final List<String> handedOver = Collections.synchronizedList(new ArrayList<>());
    volatile int maxBodyBytes = Integer.MAX_VALUE;
    /** Reply code the broker closes a channel with on the first message, when not 0. */
    volatile int closeEveryChannelWith;
    volatile int channelsOpened;
    /**
     * When set, the broker takes each message as it is published (on the publishing thread), and
     * the client sees a channel the broker closed only at its second look at the channel after the
     * close ({@code isOpen}), or 100 ms later if it does not look: the close frame arrives while the
     * lane is between two looks.
     */
    volatile boolean closeSeenLate;

    private final ExecutorService brokerThread = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService closeFrames = Executors.newSingleThreadScheduledExecutor();

    Channel openChannel() {
        channelsOpened++;
        FakeChannel state = new FakeChannel();
        Channel channel = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), new Class<?>[]{Channel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "addShutdownListener" -> state.shutdownListeners.add((ShutdownListener) args[0]);
                    case "addConfirmListener" -> state.confirmListeners.add((ConfirmListener) args[0]);
                    case "addReturnListener" -> null;
                    case "confirmSelect" -> {
                        state.nextClientSeq = 1;
                        yield null;
                    }
                    case "isOpen" -> state.isOpen();
                    case "getCloseReason" -> state.closeReason;
                    case "getNextPublishSeqNo" -> state.nextClientSeq;
                    case "basicPublish" -> {
                        state.publish(proxy, (String) args[1], (AMQP.BasicProperties) args[3], (byte[]) args[4]);
                        yield null;
                    }
                    case "abort" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake channel";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return channel;
    }

    @Override
    public void close() {
        brokerThread.shutdownNow();
        closeFrames.shutdownNow();
    }

    private final class FakeChannel {
        final List<ShutdownListener> shutdownListeners = new ArrayList<>();
        final List<ConfirmListener> confirmListeners = new ArrayList<>();
        volatile long nextClientSeq;
        volatile ShutdownSignalException closeReason;
        /** The broker's close, not yet seen by the client ({@link #closeSeenLate}), and the client's looks since. */
        volatile ShutdownSignalException closeOnItsWay;
        int looksSinceClose;
        /** Touched by the broker thread only. */
        long brokerSeq;
        boolean closedAtBroker;

        void publish(Object proxy, String routingKey, AMQP.BasicProperties properties, byte[] body) {
            if (closeReason != null) {
                throw new AlreadyClosedException(closeReason);
            }
            nextClientSeq++;
            int keyBytes = routingKey.getBytes(StandardCharsets.UTF_8).length;
            if (keyBytes > 255) {
                throw new IllegalArgumentException("Short string too long; utf-8 encoded length = " + keyBytes + ", max = 255.");
            }
            String messageId = properties.getMessageId();
            handedOver.add(messageId);
            if (closeSeenLate) {
                arrive(proxy, messageId, body.length);
            } else {
                brokerThread.execute(() -> arrive(proxy, messageId, body.length));
            }
        }

        private void arrive(Object proxy, String messageId, int bodyBytes) {
            if (closedAtBroker) {
                return;
            }
            if (closeEveryChannelWith != 0) {
                closeAtBroker(proxy, closeEveryChannelWith, "NOT_FOUND - no exchange 'edupulse.events'");
                return;
            }
            if (bodyBytes > maxBodyBytes) {
                closeAtBroker(proxy, AMQP.PRECONDITION_FAILED, "PRECONDITION_FAILED - message size " + bodyBytes
                        + " is larger than configured max size " + maxBodyBytes);
                return;
            }
            long tag = ++brokerSeq;
            received.add(messageId);
            boolean ack = !nacked.contains(messageId);
            for (ConfirmListener listener : confirmListeners) {
                try {
                    if (ack) {
                        listener.handleAck(tag, false);
                    } else {
                        listener.handleNack(tag, false);
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void closeAtBroker(Object proxy, int code, String text) {
            closedAtBroker = true;
            ShutdownSignalException close = new ShutdownSignalException(false, false,
                    new AMQImpl.Channel.Close(code, text, 60, 40), proxy);
            if (closeSeenLate) {
                closeOnItsWay = close;
                closeFrames.schedule(() -> closeArrives(close), 100, TimeUnit.MILLISECONDS);
            } else {
                closeArrives(close);
            }
        }

        synchronized boolean isOpen() {
            ShutdownSignalException close = closeOnItsWay;
            if (close != null && closeReason == null && looksSinceClose++ > 0) {
                closeArrives(close);
            }
            return closeReason == null;
        }

        private synchronized void closeArrives(ShutdownSignalException close) {
            if (closeReason != null) {
                return;
            }
            closeReason = close;
            for (ShutdownListener listener : shutdownListeners) {
                listener.shutdownCompleted(close);
            }
        }
    }
}
