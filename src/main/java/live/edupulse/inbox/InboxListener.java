package live.edupulse.inbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
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
 * <p>The client's delivery thread reads what arrives and queues it; the listener's own thread
 * hands each delivery to one of {@code workers} partitions by its aggregate (the
 * {@code aggregate_type} and {@code aggregate_id} headers), so an aggregate's events always go to
 * the same partition and two partitions never wait for each other's aggregate locks. They share
 * the prefetch, though: a slow partition's deliveries hold back the acknowledgement of later ones.
 * A partition takes whatever it has queued (up to the batch size) and decides it in one transaction
 * ({@link InboxProcessing#deliverAll}); a lone delivery is taken at once, so a quiet queue adds no
 * wait, and a busy one gets fuller batches. Decided deliveries are acknowledged with multiple
 * acknowledgements, each once every delivery before it is decided ({@link AcknowledgementWindow}).
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
    private AcknowledgementWindow acknowledgements;
    private Partition[] partitions;
    /** Partitions whose task is submitted or running; guarded by {@code this}. */
    private int busyPartitions;
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

    InboxConsumer consumer() {
        return consumer;
    }

    /**
     * Declares the queue and its bindings, starts consuming, and starts the processing: one thread
     * of {@code threads} that hands deliveries to the partitions, and up to {@code workers} of
     * {@code threads} deciding the partitions' batches.
     */
    void start(Connection connection, ExecutorService threads) throws IOException {
        workerThreads = threads;
        channel = connection.createChannel();
        Channel acknowledging = channel;
        acknowledgements = new AcknowledgementWindow(tag -> acknowledging.basicAck(tag, true));
        partitions = new Partition[workers];
        for (int i = 0; i < workers; i++) {
            partitions[i] = new Partition();
        }
        channel.basicQos(prefetch);
        channel.queueDeclare(queue, true, false, false,
                Map.of("x-queue-type", "quorum", "x-single-active-consumer", true));
        for (String pattern : consumer.eventTypes()) {
            channel.queueBind(queue, exchange, pattern);
        }
        consumerTag = channel.basicConsume(queue, false, "edupulse-inbox " + consumer.name(), new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                Map<String, Object> headers = properties.getHeaders() == null ? Map.of() : properties.getHeaders();
                Object traceparent = headers.get("traceparent");
                arrived.add(Delivery.read(getChannel(), envelope, traceparent == null ? null : traceparent.toString(),
                        partitionOf(headers.get("aggregate_type"), headers.get("aggregate_id"), workers), body));
            }
        });
        processor = threads.submit(this::process);
    }

    /**
     * The partition of an aggregate's events, from the message's {@code aggregate_type} and
     * {@code aggregate_id} headers (a message without them goes where the others without them go).
     */
    static int partitionOf(Object aggregateType, Object aggregateId, int partitions) {
        return Math.floorMod(Objects.hash(String.valueOf(aggregateType), String.valueOf(aggregateId)), partitions);
    }

    /**
     * A message as it arrived, not yet decided, with the partition that decides it: read as an
     * event of the contract on the client's delivery thread, so the partitions' threads spend their
     * time on their transactions; {@code event} is null and {@code refusal} says why when it is not one.
     */
    private record Delivery(Channel channel, Envelope envelope, String traceparent, int partition,
                            DeliveredEvent event, String refusal) {
        static Delivery read(Channel channel, Envelope envelope, String traceparent, int partition, byte[] body) {
            try {
                return new Delivery(channel, envelope, traceparent, partition, InboundMessage.read(body), null);
            } catch (IllegalArgumentException e) {
                return new Delivery(channel, envelope, traceparent, partition, null, e.getMessage());
            } catch (RuntimeException e) {
                // a reader's defect: refused as well, rather than escaping into the client (which
                // would close the channel)
                return new Delivery(channel, envelope, traceparent, partition, null, "unreadable: " + e);
            }
        }

        long tag() {
            return envelope.getDeliveryTag();
        }
    }

    /** A delivery read as an event of the contract, with its span. */
    private record Received(Delivery delivery, DeliveredEvent event, ProcessingSpan span) {
    }

    /** Hands what arrives to the partitions; when stopping, waits for their batches to finish. */
    private void process() {
        List<Delivery> taken = new ArrayList<>();
        try {
            while (!stopping) {
                Delivery first = arrived.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                arrived.drainTo(taken);
                for (Delivery delivery : taken) {
                    acknowledgements.received(delivery.tag());
                    partitions[delivery.partition()].add(delivery);
                }
                taken.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            awaitPartitionsIdle();
        }
    }

    /**
     * One share of the consumer's aggregates: its deliveries in arrival order, decided a batch at a
     * time by at most one thread, so an aggregate's batches never run at the same time.
     */
    private final class Partition {
        private final ArrayDeque<Delivery> queued = new ArrayDeque<>();
        private boolean running;

        void add(Delivery delivery) {
            synchronized (this) {
                queued.add(delivery);
                if (running) {
                    return; // the running thread takes it with its next batch
                }
                running = true;
            }
            busy(+1);
            try {
                workerThreads.execute(this::run);
            } catch (RuntimeException e) {
                // no thread (the application is stopping): what is queued stays undecided and
                // unacknowledged, and goes back to the queue when the channel closes
                stopping = true;
                idle();
                LOG.log(Level.FINE, "Inbox " + consumer.name() + " stopped taking batches", e);
            }
        }

        private void run() {
            try {
                while (true) {
                    List<Delivery> batch;
                    synchronized (this) {
                        if (queued.isEmpty() || stopping) {
                            running = false;
                            return;
                        }
                        batch = new ArrayList<>(Math.min(batchSize, queued.size()));
                        while (batch.size() < batchSize && !queued.isEmpty()) {
                            batch.add(queued.poll());
                        }
                    }
                    decide(batch);
                }
            } catch (RuntimeException | Error e) {
                // a defect: the batch's fate is unknown, so it stays unacknowledged and no multiple
                // acknowledgement covers anything after it. The channel is closed (before the partition
                // may run again): everything unacknowledged goes back to the queue, and the queue's
                // single active consumer moves to another instance, if any.
                abandon();
                synchronized (this) {
                    running = false;
                }
                LOG.log(Level.SEVERE, "Inbox " + consumer.name() + " failed on a batch; it stops consuming "
                        + queue + " until the application restarts", e);
            } finally {
                busy(-1);
            }
        }

        private void idle() {
            synchronized (this) {
                running = false;
            }
            busy(-1);
        }
    }

    private synchronized void busy(int change) {
        busyPartitions += change;
        if (busyPartitions == 0) {
            notifyAll();
        }
    }

    /** Waits for the partitions' batches to finish, unless interrupted ({@link #stop()} gives them 30 s). */
    private synchronized void awaitPartitionsIdle() {
        while (busyPartitions > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void decide(List<Delivery> deliveries) {
        if (stopping) {
            return; // undecided and unacknowledged: they go back to the queue when the channel closes
        }
        List<Received> received = new ArrayList<>(deliveries.size());
        Map<UUID, Received> byId = new LinkedHashMap<>();
        for (Delivery delivery : deliveries) {
            DeliveredEvent event = delivery.event();
            if (event == null) {
                LOG.warning(() -> "Inbox " + consumer.name() + " rejected a message of queue " + queue + ": " + delivery.refusal());
                processing.refused(consumer);
                settleAlone(delivery, () -> delivery.channel().basicReject(delivery.tag(), false));
                continue;
            }
            Received one = new Received(delivery, event, tracing.processing(queue, event.eventId().toString(),
                    delivery.envelope().getRoutingKey(), event.aggregateType(), event.aggregateId(), delivery.traceparent()));
            received.add(one);
            byId.putIfAbsent(event.eventId(), one);
        }
        if (received.isEmpty()) {
            return;
        }
        Map<UUID, InboxStore.Verdict> verdicts;
        try {
            verdicts = processing.deliverAll(consumer, byId.values().stream().map(Received::event).toList());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, () -> "Inbox " + consumer.name() + ": a batch of " + byId.size()
                    + " is taken one message at a time: " + e.getMessage());
            for (Received one : received) {
                decideAlone(one);
            }
            return;
        }
        List<Long> tags = new ArrayList<>(received.size());
        for (Received one : received) {
            InboxStore.Verdict verdict = byId.get(one.event().eventId()) == one ? verdicts.get(one.event().eventId())
                    : InboxStore.Verdict.DUPLICATE;
            one.span().outcome(verdict.name().toLowerCase(Locale.ROOT));
            one.span().end();
            tags.add(one.delivery().tag());
        }
        acknowledge(() -> acknowledgements.decided(tags));
    }

    /** Settles one delivery by itself (acknowledged, rejected or returned), so it holds no other back. */
    private void settleAlone(Delivery delivery, Acknowledgement settlement) {
        acknowledge(settlement);
        acknowledge(() -> acknowledgements.settledAlone(delivery.tag()));
    }

    /**
     * Decides one delivery in a transaction of its own. One not decided (the application is
     * stopping) stays unacknowledged and goes back to the queue when the channel closes.
     */
    private void decideAlone(Received one) {
        Delivery delivery = one.delivery();
        DeliveredEvent event = one.event();
        ProcessingSpan span = one.span();
        try {
            span.outcome(processing.deliver(consumer, event).name().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            span.failed(e);
            if (stopping) {
                return;
            }
            LOG.log(Level.WARNING, "Inbox " + consumer.name() + " could not record event " + event.eventId()
                    + "; it goes back to the queue: " + e.getMessage());
            pause();
            settleAlone(delivery, () -> delivery.channel().basicNack(delivery.tag(), false, true));
            return;
        } finally {
            span.end();
        }
        settleAlone(delivery, () -> delivery.channel().basicAck(delivery.tag(), false));
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
