package live.edupulse.outbox.tracing;

import static live.edupulse.outbox.tracing.MessagingAttributes.AGGREGATE_ID;
import static live.edupulse.outbox.tracing.MessagingAttributes.AGGREGATE_TYPE;
import static live.edupulse.outbox.tracing.MessagingAttributes.DESTINATION;
import static live.edupulse.outbox.tracing.MessagingAttributes.EVENT_TYPE;
import static live.edupulse.outbox.tracing.MessagingAttributes.MESSAGE_ID;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION_NAME;
import static live.edupulse.outbox.tracing.MessagingAttributes.OPERATION_TYPE;
import static live.edupulse.outbox.tracing.MessagingAttributes.RABBITMQ;
import static live.edupulse.outbox.tracing.MessagingAttributes.SYSTEM;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import live.edupulse.outbox.config.OutboxConfiguration;
import org.eclipse.microprofile.config.Config;

/**
 * Where the outbox's spans start. The server's MicroProfile Telemetry provides the
 * {@link OpenTelemetry} instance. Unless {@code otel.sdk.disabled} is {@code false} (it is
 * {@code true} in the WAR's defaults) and that instance is a real SDK, this bean hands out the
 * untraced {@link RecordingSpan} and {@link BatchTrace#OFF}: no span, no copy, no parsing.
 */
@ApplicationScoped
public class OutboxTracing {

    static final String INSTRUMENTATION_SCOPE = "live.edupulse.outbox";
    private static final Logger LOG = Logger.getLogger(OutboxTracing.class.getName());

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    OutboxConfiguration configuration;

    @Inject
    Config config;

    private Tracer tracer;
    private boolean on;
    private String exchange;

    @PostConstruct
    void start() {
        tracer = openTelemetry.getTracer(INSTRUMENTATION_SCOPE);
        // The standard switch, read as the server reads it. Checked here too because a server may
        // hand a disabled deployment an SDK without exporters rather than the no-op (WildFly 39
        // does), whose spans would cost without going anywhere.
        boolean switchedOn = !config.getOptionalValue("otel.sdk.disabled", Boolean.class).orElse(true);
        // A no-op OpenTelemetry gives a root span no ids; an SDK always does (even one it samples
        // out). The probe is never ended, so it is never exported.
        on = switchedOn && tracer.spanBuilder("outbox tracing probe").setNoParent().startSpan().getSpanContext().isValid();
        exchange = configuration.settings().broker().exchange();
        LOG.info(() -> on ? "Outbox tracing is on: spans for recording, claim, publish and settle"
                : "Outbox tracing is off (otel.sdk.disabled is not false); incoming traceparent headers are forwarded");
    }

    /** True when spans are created and exported. */
    public boolean isOn() {
        return on;
    }

    /**
     * Starts the span of recording one event, a child of the current span (the HTTP request's, when
     * the server traces requests) or else of the request's {@code traceparent} header; a new trace
     * when there is neither.
     *
     * @param incomingTraceparent the request's valid {@code traceparent}, if any
     */
    public RecordingSpan recording(UUID eventId, String eventType, String aggregateType, String aggregateId,
                                   Optional<String> incomingTraceparent) {
        if (!on) {
            return RecordingSpan.untraced(incomingTraceparent.orElse(null));
        }
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            parent = Traceparents.parentOf(incomingTraceparent.orElse(null));
        }
        Span span = tracer.spanBuilder("create " + exchange)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(parent)
                .setAttribute(SYSTEM, RABBITMQ)
                .setAttribute(DESTINATION, exchange)
                .setAttribute(MESSAGE_ID, eventId.toString())
                .setAttribute(OPERATION, "create")
                .setAttribute(OPERATION_TYPE, "create")
                .setAttribute(OPERATION_NAME, "create")
                .setAttribute(EVENT_TYPE, eventType)
                .setAttribute(AGGREGATE_TYPE, aggregateType)
                .setAttribute(AGGREGATE_ID, aggregateId)
                .startSpan();
        return new RecordingSpan(span, Traceparents.format(span.getSpanContext()));
    }

    /**
     * Starts the span of a consumer processing one delivered message, a child of the context the
     * message carries (its publish span's), or a new trace when it carries none.
     *
     * @param traceparent the message's {@code traceparent} header, or null
     */
    public ProcessingSpan processing(String queue, String messageId, String routingKey, String aggregateType,
                                     String aggregateId, String traceparent) {
        if (!on) {
            return ProcessingSpan.NONE;
        }
        Span span = tracer.spanBuilder("process " + queue)
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(Traceparents.parentOf(traceparent))
                .setAttribute(SYSTEM, RABBITMQ)
                .setAttribute(DESTINATION, queue)
                .setAttribute(MessagingAttributes.ROUTING_KEY, routingKey)
                .setAttribute(MESSAGE_ID, messageId)
                .setAttribute(OPERATION, "process")
                .setAttribute(OPERATION_TYPE, "process")
                .setAttribute(OPERATION_NAME, "process")
                .setAttribute(AGGREGATE_TYPE, aggregateType)
                .setAttribute(AGGREGATE_ID, aggregateId)
                .startSpan();
        return new ProcessingSpan(span);
    }

    /** The spans of one dispatcher batch, or {@link BatchTrace#OFF}. */
    public BatchTrace batch() {
        return on ? new TracedBatch(tracer, exchange) : BatchTrace.OFF;
    }
}
