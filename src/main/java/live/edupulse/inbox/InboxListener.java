package live.edupulse.inbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;
import live.edupulse.outbox.tracing.OutboxTracing;
import live.edupulse.outbox.tracing.ProcessingSpan;

/**
 * One consumer's queue and channel: a durable quorum queue with a single active consumer (so two
 * instances never take the same queue's deliveries at once), bound to the exchange for the
 * consumer's event types, consumed with manual acknowledgements and a prefetch.
 *
 * <p>A delivery is acknowledged once its fate is committed ({@link InboxProcessing}); a message
 * that is not an event of the contract is rejected without requeue (logged); when the database
 * cannot record anything, the delivery is returned to the queue after a pause.
 */
final class InboxListener {

    private static final Logger LOG = Logger.getLogger(InboxListener.class.getName());
    private static final long DATABASE_PAUSE_MILLIS = 1000;

    private final InboxConsumer consumer;
    private final String queue;
    private final String exchange;
    private final int prefetch;
    private final InboxProcessing processing;
    private final OutboxTracing tracing;
    private Channel channel;
    private String consumerTag;
    private volatile boolean stopping;

    InboxListener(InboxConsumer consumer, String queue, String exchange, int prefetch, InboxProcessing processing,
                  OutboxTracing tracing) {
        this.tracing = tracing;
        this.consumer = consumer;
        this.queue = queue;
        this.exchange = exchange;
        this.prefetch = prefetch;
        this.processing = processing;
    }

    String queue() {
        return queue;
    }

    /** Declares the queue and its bindings and starts consuming. */
    void start(Connection connection) throws IOException {
        channel = connection.createChannel();
        channel.basicQos(prefetch);
        channel.queueDeclare(queue, true, false, false,
                Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
        for (String pattern : consumer.eventTypes()) {
            channel.queueBind(queue, exchange, pattern);
        }
        consumerTag = channel.basicConsume(queue, false, "edupulse-inbox " + consumer.name(), new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                Object traceparent = properties.getHeaders() == null ? null : properties.getHeaders().get("traceparent");
                onDelivery(getChannel(), envelope, traceparent == null ? null : traceparent.toString(), body);
            }
        });
    }

    private void onDelivery(Channel on, Envelope envelope, String traceparent, byte[] body) throws IOException {
        long deliveryTag = envelope.getDeliveryTag();
        if (stopping) {
            return; // not acknowledged: it goes back to the queue when the channel closes
        }
        DeliveredEvent event;
        try {
            event = InboundMessage.read(body);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "Inbox " + consumer.name() + " rejected a message of queue " + queue + ": " + e.getMessage());
            acknowledge(() -> on.basicReject(deliveryTag, false));
            return;
        }
        ProcessingSpan span = tracing.processing(queue, event.eventId().toString(), envelope.getRoutingKey(),
                event.aggregateType(), event.aggregateId(), traceparent);
        try {
            span.outcome(processing.deliver(consumer, event).name().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            span.failed(e);
            if (stopping) {
                return; // the application is stopping: the delivery goes back to the queue
            }
            LOG.log(Level.WARNING, "Inbox " + consumer.name() + " could not record event " + event.eventId()
                    + "; it goes back to the queue: " + e.getMessage());
            pause();
            acknowledge(() -> on.basicNack(deliveryTag, false, true));
            return;
        } finally {
            span.end();
        }
        acknowledge(() -> on.basicAck(deliveryTag, false));
    }

    /**
     * Sends an acknowledgement; one the channel can no longer carry (its connection was lost, or
     * the application is stopping) is dropped: the broker delivers the message again, and the inbox
     * recognizes it by its id.
     */
    private void acknowledge(Acknowledgement acknowledgement) {
        try {
            acknowledgement.send();
        } catch (IOException | ShutdownSignalException e) {
            LOG.log(Level.FINE, () -> "Inbox " + consumer.name() + ": an acknowledgement could not be sent ("
                    + e.getMessage() + "); the message will be delivered again and recognized");
        }
    }

    @FunctionalInterface
    private interface Acknowledgement {
        void send() throws IOException;
    }

    private static void pause() {
        try {
            Thread.sleep(DATABASE_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops consuming and closes the channel; deliveries not yet acknowledged go back to the queue. */
    void stop() {
        stopping = true;
        Channel current = channel;
        if (current == null || !current.isOpen()) {
            return;
        }
        try {
            if (consumerTag != null) {
                current.basicCancel(consumerTag);
            }
            current.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the channel of inbox " + consumer.name(), e);
        }
    }
}
