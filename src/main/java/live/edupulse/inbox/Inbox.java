package live.edupulse.inbox;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.inbox.api.InboxConsumer;
import live.edupulse.outbox.broker.RabbitConnections;
import live.edupulse.outbox.config.BrokerSettings;
import live.edupulse.outbox.config.InboxSettings;
import live.edupulse.outbox.config.InvalidConfigurationException;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.replay.ReplayJob;
import live.edupulse.outbox.replay.ReplayRequest;
import live.edupulse.outbox.replay.Replays;
import live.edupulse.outbox.tracing.OutboxTracing;

/**
 * The inbox of this deployment: finds every {@link InboxConsumer} bean at deploy, connects to the
 * broker (its own connection, with automatic recovery; a broker that is down at deploy is tried
 * again every second), starts one {@link InboxListener} per consumer, and on a one-second timer
 * applies stored events whose next attempt is due, and held events whose predecessor is applied
 * (left over when applying them right after it failed). Retention of settled ids runs every ten
 * seconds. At undeploy the listeners stop and the connection closes.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class.getName());
    private static final int DUE_PER_TICK = 200;

    @Inject
    @Any
    Instance<InboxConsumer> beans;

    @Inject
    InboxProcessing processing;

    @Inject
    InboxStore store;

    @Inject
    OutboxTracing tracing;

    @Inject
    Replays replays;

    @Inject
    OutboxConfiguration configuration;

    /** The inbox's own consumer threads, apart from the dispatcher's executor: neither can starve the other. */
    @Resource
    ManagedThreadFactory threadFactory;

    private final Map<String, InboxConsumer> consumers = new TreeMap<>();
    private final List<InboxListener> listeners = new ArrayList<>();
    private InboxSettings settings;
    private volatile Connection connection;
    private ExecutorService consumerThreads;
    /** Per listener, one thread that hands deliveries to its inbox.workers partitions, and one per partition deciding its batches (the client's delivery threads read and queue). */
    private ExecutorService processingThreads;
    /** Connecting, retries and retention run here, one at a time, never on the container's timer threads. */
    private ExecutorService maintenance;
    /** A tick's round is queued or running (the next tick skips). */
    private final AtomicBoolean ticking = new AtomicBoolean();
    /** A retention round is queued or running; it waits behind a tick's round, never gives way to it. */
    private final AtomicBoolean retaining = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile String lastConnectFailure;

    @PostConstruct
    void start() {
        settings = configuration.inbox();
        for (InboxConsumer consumer : beans) {
            String name = consumer.name();
            if (name == null || !name.matches("[A-Za-z0-9_-]{1,100}")) {
                throw new InvalidConfigurationException("inbox consumer " + consumer.getClass().getName(),
                        "name '" + name + "' is not 1..100 letters, digits, '-' or '_'");
            }
            if (consumers.putIfAbsent(name, consumer) != null) {
                throw new InvalidConfigurationException("inbox consumer " + name, "two consumers have this name");
            }
        }
        if (!settings.enabled() || consumers.isEmpty()) {
            LOG.info(() -> "Inbox: " + (settings.enabled() ? "no consumers" : "switched off (inbox.enabled=false)"));
            return;
        }
        maintenance = Executors.newSingleThreadExecutor(threadFactory);
        connect();
    }

    /** Connects and starts the listeners, unless connected; a failure is logged once and tried again. */
    private synchronized void connect() {
        if (connection != null || stopping) {
            return;
        }
        BrokerSettings broker = configuration.settings().broker();
        Connection fresh = null;
        List<InboxListener> started = new ArrayList<>();
        try {
            ConnectionFactory factory = RabbitConnections.factory(broker, "edupulse-inbox " + consumers.keySet());
            if (consumerThreads == null) {
                consumerThreads = Executors.newFixedThreadPool(consumers.size(), threadFactory);
                processingThreads = Executors.newFixedThreadPool(consumers.size() * (1 + settings.workers()), threadFactory);
            }
            factory.setSharedExecutor(consumerThreads);
            fresh = factory.newConnection(RabbitConnections.addresses(broker));
            RabbitConnections.declareExchange(fresh, broker);
            RabbitConnections.declareExchangeOnRecovery(fresh, broker);
            for (InboxConsumer consumer : consumers.values()) {
                String queue = settings.queuePrefix() + consumer.name();
                boolean catchUp = settings.catchUp().contains(consumer.name()) && !RabbitConnections.queueExists(fresh, queue);
                InboxListener listener = new InboxListener(consumer, queue,
                        broker.exchange(), settings.prefetch(), settings.batchSize(), settings.workers(), processing, tracing);
                listener.start(fresh, processingThreads);
                started.add(listener);
                if (catchUp) {
                    requestCatchUp(consumer, queue);
                }
            }
            watchForLostQueues(fresh, List.copyOf(started));
            listeners.addAll(started);
            connection = fresh;
            lastConnectFailure = null;
            LOG.info(() -> "Inbox consuming: " + listeners.stream().map(InboxListener::queue).toList() + " from "
                    + broker.display());
        } catch (Exception e) {
            started.forEach(InboxListener::stop); // frees their processing threads for the next attempt
            if (fresh != null) {
                fresh.abort(1000);
            }
            String reason = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + broker.scrub(e.getMessage()));
            if (!reason.equals(lastConnectFailure)) {
                lastConnectFailure = reason;
                LOG.warning(() -> "Inbox cannot consume from " + broker.display() + " yet (tried again every second): " + reason);
            }
        }
    }

    /**
     * Watches each recovery of {@code recovering} for consumer queues the broker no longer has
     * (it lost its definitions, and with them the messages the queues held; topology recovery then
     * declares them again, empty). Each one is logged as a warning; a consumer listed in
     * {@code inbox.catch-up} requests its catch-up replay, as at its first start. The check runs on
     * the client's recovery thread before the queues are recovered (a passive declare per queue);
     * the request runs on the maintenance thread once recovery is done.
     */
    private void watchForLostQueues(Connection recovering, List<InboxListener> watched) {
        if (!(recovering instanceof Recoverable recoverable)) {
            return;
        }
        Set<InboxListener> lost = ConcurrentHashMap.newKeySet();
        recoverable.addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleTopologyRecoveryStarted(Recoverable recovered) {
                lost.clear(); // what an earlier recovery that did not complete found
                for (InboxListener listener : watched) {
                    try {
                        if (!RabbitConnections.queueExists((Connection) recovered, listener.queue())) {
                            lost.add(listener);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.warning(() -> "Inbox could not check whether the broker still had queue " + listener.queue()
                                + " when the connection recovered (" + e.getClass().getSimpleName() + "); if it lost it,"
                                + " replay the consumer's event types to it");
                        LOG.log(Level.FINE, "checking inbox queue " + listener.queue() + " on recovery", e);
                    }
                }
            }

            @Override
            public void handleRecovery(Recoverable recovered) {
                for (InboxListener listener : lost) {
                    queueLost(listener.consumer(), listener.queue());
                }
                lost.clear();
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovered) {
                // checked once the connection is back, before its topology
            }
        });
    }

    private void queueLost(InboxConsumer consumer, String queue) {
        boolean catchUp = settings.catchUp().contains(consumer.name());
        LOG.warning(() -> "Inbox queue " + queue + " was gone when the broker connection recovered: the broker lost it"
                + " and the messages it held; recovery declares it again, empty. " + (catchUp
                ? "Consumer " + consumer.name() + " catches up (inbox.catch-up)."
                : "Replay the event types of consumer " + consumer.name()
                + " to it from the admin page, or list the consumer in inbox.catch-up."));
        if (!catchUp || stopping) {
            return;
        }
        try {
            maintenance.execute(() -> requestCatchUp(consumer, queue));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "inbox catch-up not requested (stopping?)", e);
        }
    }

    /**
     * Asks for a replay of the consumer's event types over the whole retained history to its new
     * queue, to start at least one dispatch lease later (so that it also brings what was published
     * just before the queue was bound; {@link Replays#request(ReplayRequest, String, Duration)}). A
     * refusal is logged (an operator can start the replay from the admin page); the consumer
     * consumes its live events either way, holding those whose predecessors the replay brings.
     */
    private void requestCatchUp(InboxConsumer consumer, String queue) {
        try {
            Duration startAfter = configuration.settings().dispatch().lease();
            ReplayJob job = replays.request(new ReplayRequest(queue, consumer.eventTypes(), null, null, null, null, null),
                    "inbox catch-up", startAfter);
            LOG.info(() -> "Inbox consumer " + consumer.name() + " catches up: its queue " + queue + " is new; replay "
                    + job.id() + " of the retained events requested; it starts once the claims the outbox holds now"
                    + " have ended (at least one outbox.dispatch.lease)");
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Inbox consumer " + consumer.name() + " could not request its catch-up replay to " + queue
                    + " (start it from the admin page): " + e.getMessage(), e);
        }
    }

    /**
     * Every second: connects if not connected, and applies stored events whose attempt is due. The
     * work runs on the inbox's own maintenance thread, one round at a time (a tick that finds the
     * previous round still running does nothing): a silent database or broker holds that thread,
     * never the container's timer threads, which the dispatcher's own tick needs.
     */
    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "inbox-tick")
    void tick() {
        if (!settings.enabled() || consumers.isEmpty() || stopping) {
            return;
        }
        maintain(ticking, () -> {
            connect();
            retryDue();
        });
    }

    /** Queues {@code work} on the maintenance thread unless work of its kind ({@code kind}) is queued or running. */
    private void maintain(AtomicBoolean kind, Runnable work) {
        if (!kind.compareAndSet(false, true)) {
            return;
        }
        try {
            maintenance.execute(() -> {
                try {
                    work.run();
                } finally {
                    kind.set(false);
                }
            });
        } catch (RuntimeException e) {
            kind.set(false);
            LOG.log(Level.FINE, "inbox maintenance not started (stopping?)", e);
        }
    }

    private void retryDue() {
        try {
            List<InboxStore.Due> due = new ArrayList<>(store.due(DUE_PER_TICK));
            due.addAll(store.stranded(DUE_PER_TICK));
            for (InboxStore.Due one : due) {
                InboxConsumer consumer = consumers.get(one.consumer());
                if (consumer != null && !stopping) {
                    processing.retry(consumer, one.messageId());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "inbox retries will be tried at the next tick", e);
        }
    }

    /**
     * Every ten seconds, on the maintenance thread: deletes settled message ids older than
     * {@code inbox.retention.applied-age}, chunk by chunk, for at most 5 s.
     */
    @Schedule(hour = "*", minute = "*", second = "*/10", persistent = false, info = "inbox-retention")
    void retention() {
        if (consumers.isEmpty() || stopping || maintenance == null) {
            return;
        }
        maintain(retaining, this::deleteOldSettled);
    }

    private void deleteOldSettled() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (System.nanoTime() - until < 0
                    && store.deleteSettled(settings.retentionAge(), settings.retentionChunk()) == settings.retentionChunk()) {
                // a full chunk: there is probably more
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "inbox retention will be tried again", e);
        }
    }

    /** The consumer with this name. */
    public Optional<InboxConsumer> consumer(String name) {
        return Optional.ofNullable(consumers.get(name));
    }

    /** The names of this deployment's consumers. */
    public List<String> consumerNames() {
        return Collections.unmodifiableList(new ArrayList<>(consumers.keySet()));
    }

    /** True when the inbox holds a broker connection that is open. */
    public boolean isConnected() {
        Connection current = connection;
        return current != null && current.isOpen();
    }

    /**
     * Stops consuming: the listeners cancel their consumers (a delivery being applied finishes; the
     * ones not acknowledged go back to the queue), the connection closes, the consumer threads end.
     */
    @PreDestroy
    void stop() {
        stopping = true;
        listeners.forEach(InboxListener::stop);
        Connection current = connection;
        if (current != null) {
            try {
                current.close(5000);
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing the inbox connection", e);
            }
        }
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        shutDown(consumerThreads);
        shutDown(processingThreads);
        LOG.info("Inbox stopped");
    }

    private static void shutDown(ExecutorService threads) {
        if (threads == null) {
            return;
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
