package live.edupulse.outbox.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import live.edupulse.inbox.InboxApplied;
import live.edupulse.inbox.InboxFailed;
import live.edupulse.inbox.InboxRefused;
import live.edupulse.inbox.api.InboxConsumer;
import live.edupulse.outbox.dispatch.BatchSettled;
import live.edupulse.outbox.dispatch.OutboxDispatcher;
import live.edupulse.outbox.recording.EventsCommitted;

/**
 * The outbox's and the inbox's metrics, kept in the WAR's own Micrometer registry and served in
 * Prometheus text format by {@link MetricsServlet}: the same names on every application server.
 * The inbox's series carry the consumer's name as the tag {@code consumer}, each registered at
 * zero for every consumer of the WAR.
 *
 * <p>Commit-to-confirm latency is measured for events committed and confirmed by this instance:
 * the commit instant is remembered per event id (at most {@value #TRACKED_MAX} at a time; events
 * another instance dispatches are forgotten after ten minutes).
 */
@ApplicationScoped
public class OutboxMetrics {

    static final int TRACKED_MAX = 200_000;
    private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);

    @Inject
    BacklogMonitor backlog;

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    @Any
    Instance<InboxConsumer> inboxConsumers;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    private Counter recorded;
    private Counter published;
    private Counter unroutable;
    private Counter failedAttempts;
    private Counter parked;
    private Counter fencedOff;
    private Timer batchDuration;
    private Timer commitToConfirm;
    private final Map<String, InboxCounters> inbox = new ConcurrentHashMap<>();

    /** One inbox consumer's counters (its gauge of parked events reads {@link BacklogMonitor}). */
    private record InboxCounters(Counter applied, Counter failedAttempts, Counter parked, Counter refused) {
    }

    @PostConstruct
    void register() {
        recorded = Counter.builder("outbox.events.recorded").description("Events committed to the outbox").register(registry);
        published = Counter.builder("outbox.events.published")
                .description("Events confirmed by the broker and marked dispatched (routed or unroutable)").register(registry);
        unroutable = Counter.builder("outbox.events.unroutable")
                .description("Published events the broker returned as unroutable").register(registry);
        failedAttempts = Counter.builder("outbox.attempts.failed")
                .description("Failed delivery attempts (nack, or return under policy retry)").register(registry);
        parked = Counter.builder("outbox.events.parked").description("Events parked after their last attempt").register(registry);
        fencedOff = Counter.builder("outbox.events.fenced")
                .description("Events this instance could not settle: their lease had expired and another claim"
                        + " took them over (they may be delivered twice)").register(registry);
        FunctionCounter.builder("outbox.dispatch.pauses", dispatcher, OutboxDispatcher::pausesTotal)
                .description("Times dispatch paused after a broker-wide or database failure").register(registry);
        FunctionCounter.builder("outbox.drain.overruns", dispatcher, OutboxDispatcher::overrunsTotal)
                .description("Drains the watchdog aborted for publishing past their lease").register(registry);
        Gauge.builder("outbox.events.pending", backlog, b -> b.backlog().pending())
                .description("Undispatched, unparked events (counted every 5 s)").register(registry);
        Gauge.builder("outbox.events.parked.current", backlog, b -> b.backlog().parked())
                .description("Parked events waiting for an operator (counted every 5 s)").register(registry);
        Gauge.builder("outbox.oldest.pending.age", backlog, b -> b.backlog().oldestPendingAgeSeconds())
                .baseUnit("seconds").description("Age of the oldest pending event (counted every 5 s)").register(registry);
        batchDuration = Timer.builder("outbox.drain.batch").description("Claim to settle of one batch")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        commitToConfirm = Timer.builder("outbox.commit.to.confirm")
                .description("From the business transaction's commit to the broker's confirm")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        for (InboxConsumer consumer : inboxConsumers) {
            inboxCounters(consumer.name());
        }
    }

    private InboxCounters inboxCounters(String consumer) {
        return inbox.computeIfAbsent(consumer, this::registerInbox);
    }

    private InboxCounters registerInbox(String name) {
        Gauge.builder("inbox.events.parked.current", backlog, b -> b.inboxParked(name)).tag("consumer", name)
                .description("Parked inbox events waiting for an operator (counted every 5 s)").register(registry);
        return new InboxCounters(
                Counter.builder("inbox.events.applied").tag("consumer", name)
                        .description("Events an inbox consumer applied (their effects committed)").register(registry),
                Counter.builder("inbox.attempts.failed").tag("consumer", name)
                        .description("Failed attempts to apply an event, rolled back and recorded").register(registry),
                Counter.builder("inbox.events.parked").tag("consumer", name)
                        .description("Events parked after their last attempt; their aggregate waits").register(registry),
                Counter.builder("inbox.messages.refused").tag("consumer", name)
                        .description("Messages that are not events of the contract, rejected without requeue")
                        .register(registry));
    }

    void inboxApplied(@Observes InboxApplied applied) {
        inboxCounters(applied.consumer()).applied().increment(applied.events());
    }

    void inboxFailed(@Observes InboxFailed failed) {
        InboxCounters counters = inboxCounters(failed.consumer());
        counters.failedAttempts().increment();
        if (failed.parked()) {
            counters.parked().increment();
        }
    }

    void inboxRefused(@Observes InboxRefused refused) {
        inboxCounters(refused.consumer()).refused().increment();
    }

    void committed(@Observes EventsCommitted event) {
        recorded.increment(event.eventIds().size());
        if (committedAt.size() < TRACKED_MAX) {
            for (UUID id : event.eventIds()) {
                committedAt.put(id, event.committedAtNanos());
            }
        }
    }

    void settled(@Observes BatchSettled batch) {
        batchDuration.record(batch.durationNanos(), TimeUnit.NANOSECONDS);
        published.increment(batch.delivered().size());
        unroutable.increment(batch.unroutable());
        failedAttempts.increment(batch.failedAttempts());
        parked.increment(batch.parked());
        fencedOff.increment(batch.fencedOff());
        for (UUID id : batch.delivered()) {
            Long commit = committedAt.remove(id);
            if (commit != null) {
                commitToConfirm.record(Math.max(0, batch.confirmedAtNanos() - commit), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Drops commit instants of events this instance will never confirm (another one did). */
    void forgetStale() {
        long now = System.nanoTime();
        committedAt.values().removeIf(commit -> now - commit > FORGET_AFTER_NANOS);
    }

    /** Events this instance published since deployment (routed or unroutable). */
    public long publishedTotal() {
        return (long) published.count();
    }

    /** Failed delivery attempts on this instance since deployment. */
    public long failedAttemptsTotal() {
        return (long) failedAttempts.count();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
