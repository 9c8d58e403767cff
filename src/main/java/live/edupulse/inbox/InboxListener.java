package live.edupulse.inbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
 * <p>The client's delivery thread only queues what arrives; one processing thread per listener
 * takes whatever has arrived (up to the batch size) and decides it in one transaction
 * ({@link InboxProcessing#deliverAll}), then acknowledges it with one multiple acknowledgement. A
 * lone delivery is taken at once, so a quiet queue adds no wait; a busy one gets fuller batches.
 * When a batch cannot be decided together (a handler failed on one of its events, or one was
 * received before), its deliveries are taken one at a time, each acknowledged once its fate is
 * committed. A message that is not an event of the contract is rejected without requeue (logged);
 * when the database cannot record anything, the deliveries are returned to the queue after a pause.
 */
final class InboxListener {

    private static final Logger LOG = Logger.getLogger(InboxListener.class.getName());
    private static final long DATABASE_PAUSE_MILLIS = 1000;

    private final InboxConsumer consumer;
    private final String queue;
    private final String exchange;
    private final int prefetch;
    private final int batchSize;
    private final int workers;
    private final InboxProcessing processing;
    private final OutboxTracing tracing;
    private final BlockingQueue<Delivery> arrived = new LinkedBlockingQueue<>();
    private Channel channel;
    private String consumerTag;
    private volatile boolean stopping;
    private final Acknowledgements acknowledgements = new Acknowledgements();
    private ExecutorService workerThreads;
    private Future<?> processor;

    InboxListener(InboxConsumer consumer, String queue, String exchange, int prefetch, int batchSize, int workers,
                  InboxProcessing processing, OutboxTracing tracing) {
        this.tracing = tracing;
        this.consumer = consumer;
        this.queue = queue;
        this.exchange = exchange;
        this.prefetch = prefetch;
        this.batchSize = batchSize;
        this.workers = workers;
        this.processing = processing;
    }

    String queue() {
        return queue;
    }

    /**
     * Declares the queue and its bindings, starts consuming, and starts the processing: one thread
     * of {@code threads} that takes batches, {@code workers} of {@code threads} that decide them.
     */
    void start(Connection connection, ExecutorService threads) throws IOException {
        workerThreads = threads;
        channel = connection.createChannel();
        channel.basicQos(prefetch);
        channel.queueDeclare(queue, true, false, false,
                Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
        for (String pattern : consumer.eventTypes()) {
            channel.queueBind(queue, exchange, pattern);
        }
        consumerTag = channel.basicConsume(queue, false, "edupulse-inbox " + consumer.name(), new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                Object traceparent = properties.getHeaders() == null ? null : properties.getHeaders().get("traceparent");
                arrived.add(new Delivery(getChannel(), envelope, traceparent == null ? null : traceparent.toString(), body));
            }
        });
        processor = threads.submit(this::process);
    }

    /** A message as it arrived, not yet decided. */
    private record Delivery(Channel channel, Envelope envelope, String traceparent, byte[] body) {
        long tag() {
            return envelope.getDeliveryTag();
        }
    }

    /** A delivery read as an event of the contract, with its span. */
    private record Received(Delivery delivery, DeliveredEvent event, ProcessingSpan span) {
    }

    /**
     * Takes what has arrived, a batch at a time, and hands each batch to one of {@code workers}
     * threads: batches are decided concurrently (an aggregate's row lock orders its events across
     * them) and acknowledged in the order they were taken.
     */
    private void process() {
        Semaphore free = new Semaphore(workers);
        boolean holding = false;
        long taken = 0;
        try {
            while (!stopping) {
                free.acquire(); // a worker first: what arrives meanwhile joins the batch
                holding = true;
                Delivery first = arrived.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    free.release();
                    holding = false;
                    continue;
                }
                List<Delivery> batch = new ArrayList<>(batchSize);
                batch.add(first);
                arrived.drainTo(batch, batchSize - 1);
                long number = taken++;
                workerThreads.execute(() -> {
                    try {
                        decide(batch, number);
                    } catch (RuntimeException e) {
                        // a defect: the batch's fate is unknown, so nothing after it may be acknowledged.
                        // The channel is closed: everything unacknowledged goes back to the queue, and
                        // the queue's single active consumer moves to another instance, if any.
                        acknowledgements.stop();
                        LOG.log(Level.SEVERE, "Inbox " + consumer.name() + " failed on a batch; it stops consuming "
                                + queue + " until the application restarts", e);
                        abandon();
                    } finally {
                        free.release();
                    }
                });
                holding = false; // the worker releases it
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // no thread for a batch (the application is stopping): it stays unacknowledged, and so
            // must everything after it
            acknowledgements.stop();
            LOG.log(Level.FINE, "Inbox " + consumer.name() + " stopped taking batches", e);
        } finally {
            if (holding) {
                free.release();
            }
            free.acquireUninterruptibly(workers); // the batches being decided finish first
        }
    }

    private void decide(List<Delivery> deliveries, long number) {
        if (stopping) {
            // not acknowledged: they go back to the queue when the channel closes
            acknowledgements.stop();
            return;
        }
        List<Received> received = new ArrayList<>(deliveries.size());
        Map<UUID, Received> byId = new LinkedHashMap<>();
        for (Delivery delivery : deliveries) {
            DeliveredEvent event;
            try {
                event = InboundMessage.read(delivery.body());
            } catch (IllegalArgumentException e) {
                LOG.warning(() -> "Inbox " + consumer.name() + " rejected a message of queue " + queue + ": " + e.getMessage());
                acknowledge(() -> delivery.channel().basicReject(delivery.tag(), false));
                continue;
            }
            Received one = new Received(delivery, event, tracing.processing(queue, event.eventId().toString(),
                    delivery.envelope().getRoutingKey(), event.aggregateType(), event.aggregateId(), delivery.traceparent()));
            received.add(one);
            byId.putIfAbsent(event.eventId(), one);
        }
        if (received.isEmpty()) {
            acknowledgements.decided(number, null);
            return;
        }
        Map<UUID, InboxStore.Verdict> verdicts;
        try {
            verdicts = processing.deliverAll(consumer, byId.values().stream().map(Received::event).toList());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, () -> "Inbox " + consumer.name() + ": a batch of " + byId.size()
                    + " is taken one message at a time: " + e.getMessage());
            boolean allDecided = true;
            for (Received one : received) {
                allDecided &= decideAlone(one);
            }
            if (allDecided) {
                acknowledgements.decided(number, null);
            } else {
                acknowledgements.stop();
            }
            return;
        }
        for (Received one : received) {
            InboxStore.Verdict verdict = byId.get(one.event().eventId()) == one ? verdicts.get(one.event().eventId())
                    : InboxStore.Verdict.DUPLICATE;
            one.span().outcome(verdict.name().toLowerCase(Locale.ROOT));
            one.span().end();
        }
        acknowledgements.decided(number, received.get(received.size() - 1).delivery());
    }

    /**
     * Multiple acknowledgements in the order batches were taken: a batch's acknowledgement covers
     * every earlier delivery, so it is sent only once every earlier batch is decided. After a batch
     * that could not be decided (the application is stopping), none is sent any more.
     */
    private final class Acknowledgements {
        private final Map<Long, Delivery> decided = new HashMap<>();
        private long next;
        private boolean stopped;

        /** Batch {@code number} is decided; {@code last} is its last delivery, or null when it needs no acknowledgement. */
        synchronized void decided(long number, Delivery last) {
            decided.put(number, last == null ? NOTHING : last);
            Delivery upTo = null;
            while (decided.containsKey(next)) {
                Delivery delivery = decided.remove(next++);
                if (delivery != NOTHING) {
                    upTo = delivery;
                }
            }
            if (upTo != null && !stopped) {
                Delivery acknowledged = upTo;
                acknowledge(() -> acknowledged.channel().basicAck(acknowledged.tag(), true));
            }
        }

        synchronized void stop() {
            stopped = true;
        }
    }

    private static final Delivery NOTHING = new Delivery(null, null, null, null);

    /** Decides one delivery in a transaction of its own; false when it was not decided (it stays unacknowledged). */
    private boolean decideAlone(Received one) {
        Delivery delivery = one.delivery();
        DeliveredEvent event = one.event();
        ProcessingSpan span = one.span();
        try {
            span.outcome(processing.deliver(consumer, event).name().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            span.failed(e);
            if (stopping) {
                return false; // the application is stopping: the delivery goes back to the queue
            }
            LOG.log(Level.WARNING, "Inbox " + consumer.name() + " could not record event " + event.eventId()
                    + "; it goes back to the queue: " + e.getMessage());
            pause();
            acknowledge(() -> delivery.channel().basicNack(delivery.tag(), false, true));
            return true;
        } finally {
            span.end();
        }
        acknowledge(() -> delivery.channel().basicAck(delivery.tag(), false));
        return true;
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

    private void abandon() {
        stopping = true;
        Channel current = channel;
        if (current != null) {
            try {
                current.abort();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "aborting the channel of inbox " + consumer.name(), e);
            }
        }
    }

    /**
     * Stops consuming and closes the channel; deliveries not yet acknowledged go back to the queue.
     * A batch being decided finishes first (its transaction commits or rolls back as a whole).
     */
    void stop() {
        stopping = true;
        awaitProcessorGone();
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

    private void awaitProcessorGone() {
        Future<?> running = processor;
        if (running == null) {
            return;
        }
        try {
            running.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            running.cancel(true);
        }
    }
}
