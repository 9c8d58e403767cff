package live.edupulse.outbox.replay;

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
import jakarta.inject.Inject;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.config.BrokerSettings;
import live.edupulse.outbox.config.OutboxConfiguration;
import live.edupulse.outbox.config.ReplaySettings;
import live.edupulse.outbox.dispatch.ClaimedEvent;
import live.edupulse.outbox.dispatch.MessageEnvelope;

/**
 * Replay jobs: requested here (by the admin API or a consumer's catch-up), run by whichever
 * instance takes them. Every second this instance, when it runs no job, takes the oldest running
 * job nobody holds and publishes it page by page ({@link ReplayPublisher}) at the job's rate; each
 * page's cursor and count are stored with a renewed lease ({@code outbox.replay.lease}), so after a
 * crash the job resumes from its last page (that page may be published twice: a consumer's inbox
 * drops what it already applied). A cancelled job stops at its next page. At undeploy the job is
 * let go at once, for another instance.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Replays {

    private static final Logger LOG = Logger.getLogger(Replays.class.getName());
    private static final int MAX_PAGE = 500;
    /** How long a job that failed on the broker waits before it is taken again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    @Inject
    ReplayStore store;

    @Inject
    OutboxConfiguration configuration;

    @Resource
    ManagedExecutorService executor;

    /** Identifies this deployment's hold on a job (lease_owner). */
    private final UUID owner = UUID.randomUUID();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopping;

    /**
     * Starts a replay job.
     *
     * @throws InvalidReplayRequestException when a field is wrong
     * @throws ReplayRefusedException        when the range starts before the oldest retained event,
     *                                       a job for the queue runs already, or the queue does not exist
     */
    public ReplayJob request(ReplayRequest request, String requestedBy) {
        return request(request, requestedBy, Duration.ZERO);
    }

    /**
     * Starts a replay job that no instance takes before {@code startAfter} has passed, nor, when
     * that is above zero, before every lease held on outbox rows at the request has ended. A
     * catch-up to a queue just bound waits so: an event published before the binding existed
     * never reached the queue, and it is marked dispatched only when its confirm comes, possibly
     * after the request. Once the claim holding it has ended, it is marked dispatched (so the
     * job replays it) or its claim was given back or ran out (so it is published again, to the
     * bound queue). A settle that lands after its own lease ran out, before another claim took
     * the rows over (a database or JVM stall longer than a tenth of the lease), escapes this.
     *
     * @throws InvalidReplayRequestException when a field is wrong
     * @throws ReplayRefusedException        as {@link #request(ReplayRequest, String)}
     */
    public ReplayJob request(ReplayRequest request, String requestedBy, Duration startAfter) {
        ReplaySettings settings = configuration.replay();
        request.validate(settings.maxRate());
        if (request.from() != null) {
            Optional<Instant> horizon = store.retentionHorizon();
            if (horizon.isPresent() && !request.from().isAfter(horizon.get())) {
                throw new ReplayRefusedException("Before the retained history", "the retained history starts after "
                        + horizon.get() + " (retention has deleted events dispatched until then); a replay from "
                        + request.from() + " would miss some of them", "from");
            }
        }
        requireQueue(request.queue());
        int rate = request.rate() == null ? settings.defaultRate() : request.rate();
        ReplayJob job = store.create(request, rate, requestedBy, startAfter);
        LOG.info(() -> "Replay " + job.id() + " requested by " + requestedBy + ": " + job.total() + " events of "
                + job.eventTypes() + " to queue " + job.queue() + " at " + rate + "/s"
                + (job.notBefore() == null ? "" : ", not started before " + job.notBefore()));
        tick();
        return job;
    }

    public Optional<ReplayJob> find(UUID id) {
        return store.find(id);
    }

    public List<ReplayJob> recent(int limit) {
        return store.recent(limit);
    }

    /**
     * Cancels a running job; the instance running it stops at its next page.
     *
     * @throws ReplayRefusedException when it is not running
     */
    public ReplayJob cancel(UUID id, String by) {
        if (store.find(id).isEmpty()) {
            throw new ReplayNotFoundException(id);
        }
        if (!store.cancel(id)) {
            throw new ReplayRefusedException("Not running", "replay " + id + " is not running", "id");
        }
        LOG.info(() -> "Replay " + id + " cancelled by " + by);
        return store.find(id).orElseThrow();
    }

    /** Every second: take a job when this instance runs none. */
    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "outbox-replay-tick")
    void tick() {
        if (stopping || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::runTakenJob);
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }

    private void runTakenJob() {
        try {
            Optional<ReplayJob> taken = store.take(owner, lease());
            taken.ifPresent(this::run);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Replay: taking or running a job failed; tried again in a second", e);
        } finally {
            running.set(false);
        }
    }

    private void run(ReplayJob job) {
        BrokerSettings broker = configuration.settings().broker();
        LOG.info(() -> "Replay " + job.id() + " running on this instance from event " + job.done() + " of " + job.total());
        try (ReplayPublisher publisher = new ReplayPublisher(broker, job.queue(), job.id().toString())) {
            int page = Math.min(MAX_PAGE, job.rate());
            ReplayStore.Cursor cursor = store.cursor(job.id());
            while (!stopping) {
                long started = System.nanoTime();
                List<ClaimedEvent> events = store.page(job, cursor, page);
                if (events.isEmpty()) {
                    store.finish(job.id(), owner, "done", null);
                    LOG.info(() -> "Replay " + job.id() + " done");
                    return;
                }
                List<OutboundMessage> messages = new ArrayList<>(events.size());
                events.forEach(event -> messages.add(MessageEnvelope.of(event, broker.appId())));
                publisher.publish(messages);
                cursor = ReplayStore.Cursor.of(events.get(events.size() - 1));
                if (!store.advance(job.id(), owner, cursor, events.size(), lease())) {
                    LOG.info(() -> "Replay " + job.id() + " stopped: cancelled, or taken over by another instance");
                    return;
                }
                throttle(started, events.size(), job.rate());
            }
            store.release(job.id(), owner, null, Duration.ZERO);
        } catch (ReplayPublisher.QueueGoneException e) {
            store.finish(job.id(), owner, "failed", e.getMessage());
            LOG.warning(() -> "Replay " + job.id() + " failed: " + e.getMessage());
        } catch (IOException | TimeoutException | GeneralSecurityException | RuntimeException e) {
            String reason = broker.scrub(e.getClass().getSimpleName() + ": " + e.getMessage());
            store.release(job.id(), owner, reason, RETRY_AFTER);
            LOG.warning(() -> "Replay " + job.id() + " paused for " + RETRY_AFTER.toSeconds()
                    + " s, then resumed from its cursor (other jobs go first meanwhile): " + reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.release(job.id(), owner, null, Duration.ZERO);
        }
    }

    /** Waits so that {@code published} events since {@code startedNanos} stay within {@code rate} per second. */
    private void throttle(long startedNanos, int published, int rate) throws InterruptedException {
        long due = startedNanos + TimeUnit.SECONDS.toNanos(published) / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /**
     * The lease a running job holds: the configured one, but at least twice the broker's confirm
     * timeout, so that one slow page never lets another instance take the job over.
     */
    private Duration lease() {
        Duration twoConfirms = configuration.settings().broker().confirmTimeout().multipliedBy(2);
        Duration configured = configuration.replay().lease();
        return configured.compareTo(twoConfirms) < 0 ? twoConfirms : configured;
    }

    private void requireQueue(String queue) {
        BrokerSettings broker = configuration.settings().broker();
        boolean exists;
        try (ReplayPublisher probe = new ReplayPublisher(broker, queue, "probe")) {
            exists = probe.queueExists();
        } catch (IOException | TimeoutException | GeneralSecurityException | RuntimeException e) {
            throw new ReplayUnavailableException("cannot reach the broker to check queue " + queue + ": "
                    + broker.scrub(String.valueOf(e.getMessage())));
        }
        if (!exists) {
            throw new ReplayRefusedException("No such queue", "queue " + queue + " does not exist on the broker", "queue");
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }
}
