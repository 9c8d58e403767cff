package live.edupulse.outbox.tracing;

import static live.edupulse.outbox.tracing.MessagingAttributes.AGGREGATES;
import static live.edupulse.outbox.tracing.MessagingAttributes.AGGREGATE_ID;
import static live.edupulse.outbox.tracing.MessagingAttributes.AGGREGATE_TYPE;
import static live.edupulse.outbox.tracing.MessagingAttributes.BATCH_COUNT;
import static live.edupulse.outbox.tracing.MessagingAttributes.BATCH_SIZE;
import static live.edupulse.outbox.tracing.MessagingAttributes.DESTINATION;
import static live.edupulse.outbox.tracing.MessagingAttributes.DISPATCHED;
import static live.edupulse.outbox.tracing.MessagingAttributes.FAILED;
import static live.edupulse.outbox.tracing.MessagingAttributes.FENCED_OFF;
import static live.edupulse.outbox.tracing.MessagingAttributes.MESSAGE_ID;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION_NAME;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION_TYPE;
import static live.edupulse.outbox.tracing.MessagingAttributes.OUTCOME;
import static live.edupulse.outbox.tracing.MessagingAttributes.RABBITMQ;
import static live.edupulse.outbox.tracing.MessagingAttributes.RELEASED;
import static live.edupulse.outbox.tracing.MessagingAttributes.ROUTING_KEY;
import static live.edupulse.outbox.tracing.MessagingAttributes.SYSTEM;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.broker.PublishOutcome;

/**
 * A batch's spans while tracing is on: {@code outbox dispatch} (claim to settle, a trace of its own)
 * with children {@code outbox claim} and {@code outbox settle}, and one {@code publish <exchange>}
 * producer span per message in the message's own trace, linked to the batch. Spans are created
 * only once the claim returned events (or failed), with their recorded start times, so an idle
 * dispatcher exports nothing. One lane's thread uses it, start to end.
 */
final class TracedBatch implements BatchTrace {

    private final Tracer tracer;
    private final String exchange;
    private final Instant started = Instant.now();
    private Instant claimStarted;
    private Span batch;
    private Span settle;
    private int events;
    private long aggregates;
    private final Map<String, Span> producers = new HashMap<>();

    TracedBatch(Tracer tracer, String exchange) {
        this.tracer = tracer;
        this.exchange = exchange;
    }

    @Override
    public void claimStarted() {
        claimStarted = Instant.now();
    }

    @Override
    public void claimed(int events, long aggregates) {
        if (events == 0) {
            return;
        }
        this.events = events;
        this.aggregates = aggregates;
        batch = tracer.spanBuilder("outbox dispatch")
                .setNoParent()
                .setStartTimestamp(started)
                .setAttribute(BATCH_SIZE, events)
                .setAttribute(AGGREGATES, aggregates)
                .startSpan();
        tracer.spanBuilder("outbox claim")
                .setParent(Context.root().with(batch))
                .setStartTimestamp(claimStarted == null ? started : claimStarted)
                .setAttribute(BATCH_SIZE, events)
                .setAttribute(AGGREGATES, aggregates)
                .startSpan()
                .end();
    }

    @Override
    public List<OutboundMessage> publishing(List<OutboundMessage> messages) {
        if (batch == null) {
            return messages;
        }
        List<OutboundMessage> traced = new ArrayList<>(messages.size());
        for (OutboundMessage message : messages) {
            Object stored = message.headers().get("traceparent");
            Span producer = tracer.spanBuilder("publish " + exchange)
                    .setSpanKind(SpanKind.PRODUCER)
                    .setParent(Traceparents.parentOf(stored instanceof String s ? s : null))
                    .addLink(batch.getSpanContext())
                    .setAttribute(SYSTEM, RABBITMQ)
                    .setAttribute(DESTINATION, exchange)
                    .setAttribute(ROUTING_KEY, message.routingKey())
                    .setAttribute(MESSAGE_ID, message.messageId())
                    .setAttribute(OPERATION, "publish")
                    .setAttribute(OPERATION_TYPE, "send")
                    .setAttribute(OPERATION_NAME, "publish")
                    .setAttribute(BATCH_COUNT, messages.size())
                    .setAttribute(AGGREGATE_TYPE, String.valueOf(message.headers().get("aggregate_type")))
                    .setAttribute(AGGREGATE_ID, String.valueOf(message.headers().get("aggregate_id")))
                    .startSpan();
            producers.put(message.messageId(), producer);
            traced.add(message.withHeaders(Map.of("traceparent", Traceparents.format(producer.getSpanContext()))));
        }
        return traced;
    }

    @Override
    public void published(Map<String, PublishOutcome> outcomes) {
        outcomes.forEach((messageId, outcome) -> {
            Span producer = producers.remove(messageId);
            if (producer == null) {
                return;
            }
            producer.setAttribute(OUTCOME, outcome.getClass().getSimpleName().toLowerCase());
            String failure = failureOf(outcome);
            if (failure != null) {
                producer.setStatus(StatusCode.ERROR, failure);
            }
            producer.end();
        });
    }

    private static String failureOf(PublishOutcome outcome) {
        if (outcome instanceof PublishOutcome.Nacked nacked) {
            return "nacked: " + nacked.reason();
        }
        if (outcome instanceof PublishOutcome.Refused refused) {
            return "refused: " + refused.reason();
        }
        if (outcome instanceof PublishOutcome.Unconfirmed unconfirmed) {
            return "unconfirmed: " + unconfirmed.reason();
        }
        return null;
    }

    @Override
    public void settleStarted() {
        if (batch != null) {
            settle = tracer.spanBuilder("outbox settle")
                    .setParent(Context.root().with(batch))
                    .setAttribute(BATCH_SIZE, events)
                    .setAttribute(AGGREGATES, aggregates)
                    .startSpan();
        }
    }

    @Override
    public void settled(int dispatched, int failed, int released, int fencedOff) {
        if (settle != null) {
            settle.setAttribute(DISPATCHED, dispatched);
            settle.setAttribute(FAILED, failed);
            settle.setAttribute(RELEASED, released);
            settle.setAttribute(FENCED_OFF, fencedOff);
            settle.end();
            settle = null;
        }
    }

    @Override
    public void failed(Throwable failure) {
        if (batch == null) {
            // the claim itself failed: the batch's span shows that, from its start
            batch = tracer.spanBuilder("outbox dispatch").setNoParent().setStartTimestamp(started).startSpan();
        }
        Span current = settle != null ? settle : batch;
        current.recordException(failure);
        current.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        batch.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
    }

    @Override
    public void end() {
        for (Span producer : producers.values()) {
            producer.setStatus(StatusCode.ERROR, "no outcome");
            producer.end();
        }
        producers.clear();
        if (settle != null) {
            settle.end();
        }
        if (batch != null) {
            batch.end();
        }
    }
}
