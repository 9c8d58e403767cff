package live.edupulse.outbox.dispatch;

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
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.outbox.broker.BrokerState;
import live.edupulse.outbox.broker.BrokerUnavailableException;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.broker.PublishOutcome;
import live.edupulse.outbox.broker.PublishingLane;
import live.edupulse.outbox.broker.RabbitPublisher;
import live.edupulse.outbox.config.DispatchSettings;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.config.OutboxSettings;
import live.edupulse.outbox.tracing.BatchTrace;
import live.edupulse.outbox.tracing.LogFields;
import live.edupulse.outbox.tracing.OutboxTracing;

/**
 * Drains the outbox to the broker: claim (short transaction), publish (no transaction), settle
 * (short transaction), repeated while full batches come back.
 *
 * <p>Two things start a drain: an after-commit nudge ({@link #requestDrain()}, the latency path,
 * G6) and the one-second non-persistent timer (the safety net, which also picks up leases of dead
 * instances). Up to {@code outbox.dispatch.lanes} drains run in this instance at once, each with
 * its own broker channel, so one claims and settles while another waits for its confirms. A
 * request that finds every lane busy sets a flag the running drains check before they stop, so no
 * nudge is lost and none queues behind a lock (bean-managed concurrency; the container's default
 * write lock would serialize them). Lanes keep per-aggregate order for the reason instances do: a
 * claim takes an aggregate's head only when no earlier event of it is pending, leased or not. So a
 * nudge whose event waits behind a predecessor another lane holds finds nothing; a lane that
 * delivered anything therefore claims once more before it stops, which takes such successors.
 *
 * <p>Failures: a broker-wide failure (not connected, blocked, channel closed, no confirm in time)
 * releases the batch's rows without spending attempts and pauses the whole dispatcher with
 * exponential backoff. A database failure pauses it the same way. Each change of state is logged
 * once. A drain that overruns its lease (a socket write stuck on a blocked broker) is cut loose by
 * the timer's watchdog, which aborts the broker connection.
 *
 * <p>Shutdown: the running batch finishes (it is bounded by the confirm timeout) and settles, then
 * the connection closes; no thread, channel or connection outlives the deployment.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class.getName());

    @Inject
    OutboxConfiguration configuration;

    @Inject
    OutboxStore store;

    @Inject
    OutboxTracing tracing;

    @Resource
    ManagedExecutorService executor;

    @Inject
    Event<BatchSettled> batchSettled;

    /** Identifies this deployment's leases (lease_owner). */
    private final UUID owner = UUID.randomUUID();
    private final AtomicBoolean requested = new AtomicBoolean();
    /** Lanes not draining right now; a drain takes one and gives it back. */
    private BlockingQueue<Worker> idleLanes;
    private final List<Worker> lanes = new CopyOnWriteArrayList<>();
    private final Object idle = new Object();

    private DispatchSettings settings;
    /** The AMQP app id every message carries. */
    private String appId;
    private SettlementPlanner planner;
    private RabbitPublisher publisher;
    /** Where the next claim starts its walk over aggregates (shared by the lanes: they spread out). */
    private volatile AggregateKey cursor = AggregateKey.START;
    private volatile int aggregatesPerClaim;

    private volatile boolean stopping;
    private volatile long pausedUntil;
    private int consecutiveFailures;
    private volatile String lastFailure;
    private final AtomicLong pauses = new AtomicLong();
    private final AtomicLong overruns = new AtomicLong();

    @PostConstruct
    void start() {
        OutboxSettings all = configuration.settings();
        settings = all.dispatch();
        appId = all.broker().appId();
        aggregatesPerClaim = settings.batchSize();
        RetryPolicy retryPolicy = new RetryPolicy(settings.backoffInitial(), settings.backoffMax(),
                settings.maxAttempts(), () -> ThreadLocalRandom.current().nextDouble());
        planner = new SettlementPlanner(all.broker().unroutablePolicy(), retryPolicy);
        publisher = new RabbitPublisher(all.broker(), RabbitPublisher.localHostName() + " " + owner);
        idleLanes = new ArrayBlockingQueue<>(settings.lanes());
        for (int i = 0; i < settings.lanes(); i++) {
            Worker lane = new Worker(publisher.lane());
            lanes.add(lane);
            idleLanes.add(lane);
        }
        LOG.info(() -> "Outbox dispatcher " + owner + " started: " + all.broker() + ", " + settings);
        if (!settings.enabled()) {
            LOG.warning("Outbox dispatch is switched off (outbox.dispatch.enabled=false): events are recorded and wait");
        }
        requestDrain();
    }

    /** The safety net: a drain every second, and the watchdog for drains stuck past their lease. */
    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "outbox-dispatch-tick")
    void tick() {
        for (Worker lane : lanes) {
            long deadline = lane.batchDeadline;
            if (deadline != 0 && System.nanoTime() - deadline > 0 && lane.publishing && lane.abortedFor != deadline) {
                // only a batch stuck in its publish step can be freed this way; one stuck on a silent
                // database is freed by its statement and socket timeouts
                lane.abortedFor = deadline;
                overruns.incrementAndGet();
                LOG.warning("Outbox drain overran its lease while publishing; aborting the broker connection to free it");
                publisher.abort();
                break;
            }
        }
        if (settings.timerEnabled()) {
            requestDrain();
        }
    }

    /**
     * Asks for a drain soon, on the managed executor; returns at once. Safe to call from any thread,
     * any number of times: calls that arrive while a drain runs make it go round once more.
     */
    public void requestDrain() {
        if (!settings.enabled() || stopping) {
            return;
        }
        requested.set(true);
        Worker lane = idleLanes.poll();
        if (lane != null) {
            try {
                executor.execute(() -> drain(lane));
            } catch (RejectedExecutionException e) {
                release(lane);
                LOG.log(Level.FINE, "executor refused a drain (shutting down?)", e);
            }
        }
    }

    private void drain(Worker lane) {
        try {
            while (!stopping && requested.getAndSet(false)) {
                while (!stopping && drainOneBatch(lane)) {
                    // full batch: there is probably more
                }
            }
        } finally {
            releaseClaimedAhead(lane);
            release(lane);
        }
        if (requested.get() && !stopping) {
            requestDrain();
        }
    }

    private void release(Worker lane) {
        idleLanes.add(lane);
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    /** @return true when another batch is probably waiting */
    private boolean drainOneBatch(Worker lane) {
        if (System.nanoTime() - pausedUntil < 0) {
            return false;
        }
        if (lane.claimedAhead != null && !lane.claimedAhead.publishable()) {
            // a continued run whose batch before it ended in a failure before its settle was checked
            releaseClaimedAhead(lane);
        }
        if (lane.claimedAhead != null && System.nanoTime() - lane.claimedAhead.started() > settings.lease().toNanos() / 4) {
            // the previous batch's wait for confirms used up a quarter of this one's lease: give it back
            // and claim afresh rather than publish it with little time left before its publish deadline
            releaseClaimedAhead(lane);
            return !stopping;
        }
        try {
            publisher.connect();
        } catch (BrokerUnavailableException e) {
            pause(e.getMessage());
            return false;
        }
        if (publisher.state() != BrokerState.CONNECTED) {
            pause("broker is " + publisher.state());
            return false;
        }
        ClaimedBatch ahead = lane.claimedAhead;
        lane.claimedAhead = null;
        BatchTrace trace = ahead != null ? ahead.trace() : tracing.batch();
        try {
            ClaimedBatch claimed;
            if (ahead != null) {
                claimed = ahead;
            } else {
                // the deadline covers the whole batch, claim and settle included: a silent database shows too
                lane.batchDeadline = System.nanoTime() + settings.lease().toNanos();
                claimed = claimNext(trace);
            }
            Claim claim = claimed.claim();
            long started = claimed.started();
            lane.batchDeadline = started + settings.lease().toNanos();
            if (claim.isEmpty()) {
                recovered();
                return claimed.from() != AggregateKey.START;
            }
            int batch = claim.events().size();
            try (LogFields.Scope fields = LogFields.batch(batch)) {
                // While the broker writes this batch to disk, claim the next one (its aggregates are
                // others: this batch's are leased, but for the next run of its last aggregate when
                // nothing else is free), unless the walk found the backlog's end.
                Runnable claimAhead = claimed.more() ? () -> claimAhead(lane, claim) : () -> { };
                Map<String, PublishOutcome> outcomes = publish(lane, claim, started, trace, claimAhead);
                long confirmedAt = System.nanoTime();
                Settlement settlement = planner.plan(claim, outcomes);
                // Settle even when interrupted (undeploy): a claim is never left half-settled.
                boolean interrupted = Thread.interrupted();
                SettleResult result;
                try {
                    trace.settleStarted();
                    result = store.settle(settlement);
                    trace.settled(result.dispatched(), result.failed().size(), result.released(), result.fencedOff());
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                report(result);
                announce(settlement, result, started, confirmedAt);
                if (lane.claimedAhead != null && lane.claimedAhead.continues() != null) {
                    if (deliveredWhole(claim, settlement, result, lane.claimedAhead.continues())) {
                        lane.claimedAhead = lane.claimedAhead.clearedToPublish();
                    } else {
                        releaseClaimedAhead(lane); // its aggregate's earlier events wait again: the run must too
                    }
                }
                String brokerFailure = firstUnconfirmed(outcomes);
                if (brokerFailure != null) {
                    pause("broker-wide failure, unconfirmed events released: " + brokerFailure);
                    return false;
                }
                RuntimeException aheadFailure = lane.claimAheadFailure;
                lane.claimAheadFailure = null;
                if (aheadFailure != null) {
                    throw aheadFailure;
                }
                recovered();
                // Delivering an event may make its aggregate's next one claimable, and that one's
                // nudge may have come (and found nothing) while this batch held the aggregate: look
                // again. A batch claimed ahead was claimed before this settle, so the look again is
                // owed after it too.
                boolean unblocked = result.dispatched() > 0 || claimed.lookAgain();
                if (unblocked && lane.claimedAhead != null) {
                    lane.claimedAhead = lane.claimedAhead.owingALookAgain();
                }
                return !Thread.currentThread().isInterrupted()
                        && (lane.claimedAhead != null || claimed.more() || claimed.from() != AggregateKey.START || unblocked);
            }
        } catch (RuntimeException e) {
            trace.failed(e);
            pause("drain failed: " + e);
            return false;
        } finally {
            trace.end();
            lane.batchDeadline = 0;
            lane.claimAheadFailure = null; // reported above, or made moot by the failure that ended this batch
        }
    }

    /**
     * Claims the next batch, starting the walk at the shared cursor, and moves the cursor and the
     * claim's size on from what the walk found.
     */
    private ClaimedBatch claimNext(BatchTrace trace) {
        long started = System.nanoTime();
        AggregateKey from = cursor;
        int visiting = aggregatesPerClaim;
        trace.claimStarted();
        Claim claim = store.claim(owner, from, settings.batchSize(), visiting, settings.lease());
        int batch = claim.events().size();
        long distinct = claim.events().stream().map(AggregateKey::of).distinct().count();
        trace.claimed(batch, distinct);
        // The walk stopped early (batch full, or as many aggregates as asked): go on after the
        // last one next time. Otherwise it reached the end: start over.
        boolean more = batch == settings.batchSize() || distinct == visiting;
        cursor = more ? AggregateKey.of(claim.events().get(batch - 1)) : AggregateKey.START;
        aggregatesPerClaim = ClaimSizing.nextAggregatesPerClaim(aggregatesPerClaim, settings.batchSize(), batch, distinct);
        return new ClaimedBatch(claim, from, more, started, trace, false, null, false);
    }

    /**
     * Runs while the lane's batch waits for its confirms: claims the lane's next batch so that it is
     * published as soon as this one is settled. When the walk finds nothing free (every aggregate
     * with pending events is held, typically by {@code inFlight} itself: one hot aggregate), it
     * claims the next run of {@code inFlight}'s last aggregate instead ({@link #continueRun}). An
     * empty claim is not kept (taken before this batch settles, it says nothing about the successors
     * the settle unblocks). A failure is kept for the lane to report after it settled the batch in
     * hand.
     */
    private void claimAhead(Worker lane, Claim inFlight) {
        if (stopping || Thread.currentThread().isInterrupted()) {
            return;
        }
        lane.publishing = false;
        BatchTrace trace = tracing.batch();
        try {
            ClaimedBatch next = claimNext(trace);
            if (next.claim().isEmpty()) {
                trace.end();
                trace = tracing.batch();
                next = continueRun(inFlight, trace);
            }
            if (next == null || next.claim().isEmpty()) {
                trace.end();
            } else {
                lane.claimedAhead = next;
            }
        } catch (RuntimeException e) {
            trace.failed(e);
            trace.end();
            lane.claimAheadFailure = e;
        } finally {
            lane.publishing = true;
        }
    }

    /**
     * The next run of the last aggregate of a full batch in flight (the batch may have cut its run),
     * or null when the batch was not full. Claiming it before the batch in flight is settled keeps
     * order only because it is published after that settle, and only if the settle marked every
     * event of the aggregate in that batch dispatched ({@link #deliveredWhole}); otherwise it is
     * released unpublished.
     */
    private ClaimedBatch continueRun(Claim inFlight, BatchTrace trace) {
        List<ClaimedEvent> events = inFlight.events();
        if (events.size() < settings.batchSize()) {
            return null;
        }
        ClaimedEvent last = events.get(events.size() - 1);
        AggregateKey aggregate = AggregateKey.of(last);
        long started = System.nanoTime();
        trace.claimStarted();
        Claim claim = store.continueRun(owner, aggregate, last.aggregateSeq(), settings.batchSize(), settings.lease());
        trace.claimed(claim.events().size(), claim.isEmpty() ? 0 : 1);
        return new ClaimedBatch(claim, aggregate, claim.events().size() == settings.batchSize(), started, trace,
                false, aggregate, false);
    }

    /**
     * Whether the settle of {@code claim} marked every one of its events of {@code aggregate}
     * dispatched: only then may the aggregate's next run, claimed ahead, be published. A settle that
     * was fenced off in part does not say which rows it marked, so it counts as not.
     */
    private static boolean deliveredWhole(Claim claim, Settlement settlement, SettleResult result, AggregateKey aggregate) {
        if (result.fencedOff() > 0) {
            return false;
        }
        Set<UUID> dispatched = new HashSet<>();
        for (Settlement.Dispatched event : settlement.dispatched()) {
            dispatched.add(event.id());
        }
        for (ClaimedEvent event : claim.events()) {
            if (AggregateKey.of(event).equals(aggregate) && !dispatched.contains(event.id())) {
                return false;
            }
        }
        return true;
    }

    /** Gives a batch claimed ahead back without publishing it: released, no attempt spent. */
    private void releaseClaimedAhead(Worker lane) {
        ClaimedBatch ahead = lane.claimedAhead;
        lane.claimedAhead = null;
        if (ahead == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            store.settle(planner.plan(ahead.claim(), Map.of()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Outbox events claimed ahead could not be released; they wait for their lease to end", e);
        } finally {
            ahead.trace().end();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Publishes a claim. Nothing is handed to the broker after half the lease; confirms are awaited
     * until 90% of it at the latest, so the settle lands while the lease still holds.
     */
    private Map<String, PublishOutcome> publish(Worker lane, Claim claim, long started, BatchTrace trace,
                                                Runnable whileConfirmsPending) {
        long lease = settings.lease().toNanos();
        lane.batchDeadline = started + lease;
        List<OutboundMessage> messages = new ArrayList<>(claim.events().size());
        for (ClaimedEvent event : claim.events()) {
            messages.add(MessageEnvelope.of(event, appId));
        }
        lane.publishing = true;
        try {
            Map<String, PublishOutcome> outcomes = lane.channel.publish(trace.publishing(messages),
                    started + lease / 2, started + lease - lease / 10, whileConfirmsPending);
            trace.published(outcomes);
            return outcomes;
        } finally {
            lane.publishing = false;
        }
    }

    private void announce(Settlement settlement, SettleResult result, long started, long confirmedAt) {
        int parked = (int) result.failed().stream().filter(SettleResult.FailedEvent::parked).count();
        if (result.fencedOff() > 0) { // the settle returns its failed rows, but not which rows it marked dispatched
            batchSettled.fire(new BatchSettled(System.nanoTime() - started, confirmedAt, List.of(), 0,
                    result.failed().size(), parked, result.fencedOff()));
            return;
        }
        List<UUID> delivered = new ArrayList<>(settlement.dispatched().size());
        int unroutable = 0;
        for (Settlement.Dispatched dispatched : settlement.dispatched()) {
            delivered.add(dispatched.id());
            if (dispatched.unroutable()) {
                unroutable++;
            }
        }
        batchSettled.fire(new BatchSettled(System.nanoTime() - started, confirmedAt, delivered, unroutable,
                result.failed().size(), parked, 0));
    }

    /** How often dispatch paused after a broker-wide or database failure, since deployment. */
    public long pausesTotal() {
        return pauses.get();
    }

    /** How many drains the watchdog aborted for publishing past their lease, since deployment. */
    public long overrunsTotal() {
        return overruns.get();
    }

    /** This deployment's dispatcher id: the {@code lease_owner} of the rows it leases. */
    public UUID owner() {
        return owner;
    }

    /** The broker connection as the dispatcher sees it. */
    public BrokerState brokerState() {
        return publisher.state();
    }

    /**
     * A drain is hung when a batch (from before its claim to the end of its settle) has run half a
     * lease past its own lease: the watchdog has already tried to free it by aborting the broker
     * connection, and the database's statement and socket timeouts have not freed it either.
     * Idle, paused or broker-less is not hung.
     */
    public boolean isHung() {
        for (Worker lane : lanes) {
            long deadline = lane.batchDeadline;
            if (deadline != 0 && System.nanoTime() - deadline > settings.lease().toNanos() / 2) {
                return true;
            }
        }
        return false;
    }

    /** Why dispatch is paused, or null when it is not. */
    public String pauseReason() {
        return lastFailure;
    }

    private static String firstUnconfirmed(Map<String, PublishOutcome> outcomes) {
        for (PublishOutcome outcome : outcomes.values()) {
            if (outcome instanceof PublishOutcome.Unconfirmed unconfirmed) {
                return unconfirmed.reason();
            }
        }
        return null;
    }

    private void report(SettleResult result) {
        for (SettleResult.FailedEvent failed : result.failed()) {
            try (LogFields.Scope fields = LogFields.event(failed.id().toString(), failed.aggregateType(),
                    failed.aggregateId())) {
                if (failed.parked()) {
                    LOG.warning(() -> "Outbox event parked after " + failed.attempts() + " attempts: id=" + failed.id()
                            + " type=" + failed.eventType() + " aggregate=" + failed.aggregateType() + "/"
                            + failed.aggregateId() + " seq=" + failed.aggregateSeq()
                            + "; its aggregate's later events wait until an operator retries or discards it");
                } else {
                    LOG.fine(() -> "Outbox event attempt " + failed.attempts() + " failed: id=" + failed.id()
                            + " type=" + failed.eventType() + " aggregate=" + failed.aggregateType() + "/"
                            + failed.aggregateId() + " seq=" + failed.aggregateSeq() + "; it will be tried again");
                }
            }
        }
        if (result.fencedOff() > 0) {
            LOG.warning(() -> result.fencedOff() + " outbox events were not settled: their lease expired and"
                    + " another dispatcher took them over (they may be delivered twice)");
        }
    }

    private synchronized void pause(String reason) {
        consecutiveFailures++;
        pauses.incrementAndGet();
        long delay = FailureBackoff.pauseNanos(consecutiveFailures, settings.backoffInitial().toNanos(),
                settings.brokerBackoffMax().toNanos());
        pausedUntil = System.nanoTime() + delay;
        if (!reason.equals(lastFailure)) {
            lastFailure = reason;
            LOG.warning(() -> "Outbox dispatch paused for " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms: " + reason);
        }
    }

    private synchronized void recovered() {
        if (lastFailure != null) {
            LOG.info("Outbox dispatch resumed");
            lastFailure = null;
        }
        consecutiveFailures = 0;
    }

    @PreDestroy
    void stop() {
        stopping = true;
        long waitUntil = System.nanoTime() + settings.lease().toNanos();
        synchronized (idle) {
            while (idleLanes.size() < lanes.size() && System.nanoTime() - waitUntil < 0) {
                try {
                    idle.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        publisher.close();
        LOG.info(() -> "Outbox dispatcher " + owner + " stopped");
    }

    /**
     * A claim and what its walk said: where it began, whether it stopped early (more aggregates
     * follow), and when it started (the lease's clock). {@code lookAgain}: claimed ahead of a batch
     * that delivered something, so the lane owes a claim after this one (for the successors).
     * {@code continues}: the aggregate whose next run this claim is ({@link #continueRun}), else null;
     * {@code cleared}: such a run may be published (the batch before it was delivered whole).
     */
    private record ClaimedBatch(Claim claim, AggregateKey from, boolean more, long started, BatchTrace trace,
                                boolean lookAgain, AggregateKey continues, boolean cleared) {

        ClaimedBatch owingALookAgain() {
            return new ClaimedBatch(claim, from, more, started, trace, true, continues, cleared);
        }

        /** A continued run once the batch before it was seen delivered whole. */
        ClaimedBatch clearedToPublish() {
            return new ClaimedBatch(claim, from, more, started, trace, lookAgain, continues, true);
        }

        /** A walk's claim always; a continued run only once cleared. */
        boolean publishable() {
            return continues == null || cleared;
        }
    }

    /** A lane of this dispatcher: its broker channel, and the deadline of the batch it runs. */
    private static final class Worker {

        final PublishingLane channel;
        /** System.nanoTime() after which the running batch (claim to settle) has outlived its lease; 0 when none runs. */
        volatile long batchDeadline;
        /** The running batch is in its publish step (the only step a broker connection abort can free). */
        volatile boolean publishing;
        /** The deadline the watchdog last aborted the connection for, so it does so once per batch. */
        volatile long abortedFor;
        /** The next batch, claimed while the running one waited for its confirms; only the lane's thread touches it. */
        ClaimedBatch claimedAhead;
        /** Why claiming ahead failed, reported once the running batch is settled. */
        RuntimeException claimAheadFailure;

        Worker(PublishingLane channel) {
            this.channel = channel;
        }
    }
}
