package live.edupulse.outbox.tracing;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.ServerUnderTest;
import live.edupulse.outbox.tracing.OtlpReceiver.ReceivedSpan;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the server's OpenTelemetry switched on for this deployment (the standard {@code otel.*}
 * keys, exporting OTLP/HTTP to a receiver inside the test), one {@code POST /api/pulses} is one
 * trace: the request's server span, the recording span as its child, the producer span as the
 * recording span's child, the message carries the producer span's context, and the statistics
 * projection's inbox span continues from it. The batch's own
 * spans (dispatch, claim, settle) carry its size. Off (every other test's deployment), the request's
 * {@code traceparent} is forwarded unchanged ({@code HealthAndMetricsIT}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TracingIT {

    private static final int OTLP_PORT = 4318;
    private static final String EXCHANGE = BrokerProbe.EXCHANGE;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Listening before the deployment, whose exporter starts sending at once. */
    private static final OtlpReceiver RECEIVER = OtlpReceiver.start(OTLP_PORT);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "otel.sdk.disabled", "false",
                "otel.service.name", "edupulse-tracing-test",
                "otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.exporter.otlp.traces.protocol", "http/protobuf",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + OTLP_PORT,
                "otel.traces.sampler", "always_on",
                "otel.bsp.schedule.delay", "100",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none"));
    }

    @ArquillianResource
    URL base;

    @AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Test
    void oneRequestIsOneTraceFromTheHttpRequestToThePublishedMessage() throws Exception {
        Http http = new Http(base);
        BrokerProbe.Delivery message;
        String pulseId;
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.created")) {
            // the second of two requests is checked and drawn: the first one warms the server up
            String id = null;
            BrokerProbe.Delivery delivered = null;
            for (int request = 0; request < 2; request++) {
                HttpResponse<String> created = http.post("api/pulses",
                        "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Traced\"}");
                assertEquals(201, created.statusCode(), created.body());
                id = JSON.readTree(created.body()).get("id").asText();
                delivered = probe.next(ofAggregate(id), ofSeconds(15));
            }
            pulseId = id;
            message = delivered;
        }
        String eventId = message.properties().getMessageId();
        String[] traceparent = String.valueOf(message.header("traceparent")).split("-");
        assertEquals(4, traceparent.length, "the message carries a traceparent: " + message.header("traceparent"));
        String traceId = traceparent[1];

        ReceivedSpan publish = awaitSpan(traceId, "publish " + EXCHANGE);
        ReceivedSpan create = awaitSpan(traceId, "create " + EXCHANGE);
        ReceivedSpan request = awaitSpan(traceId, span -> span.kind().equals("SPAN_KIND_SERVER"));
        List<ReceivedSpan> trace = RECEIVER.spansOfTrace(traceId);

        assertEquals(traceparent[2], publish.spanId(), "the message carries the producer span's context: " + trace);
        assertEquals(create.spanId(), publish.parentSpanId(), "publish is a child of recording: " + trace);
        assertEquals(request.spanId(), create.parentSpanId(), "recording is a child of the request: " + trace);
        assertEquals("", request.parentSpanId(), "the request started the trace: " + trace);

        for (ReceivedSpan span : List.of(create, publish)) {
            assertEquals("SPAN_KIND_PRODUCER", span.kind(), span.toString());
            assertEquals("rabbitmq", span.attribute("messaging.system"), span.toString());
            assertEquals(EXCHANGE, span.attribute("messaging.destination.name"), span.toString());
            assertEquals(eventId, span.attribute("messaging.message.id"), span.toString());
            assertEquals(pulseId, span.attribute("outbox.aggregate.id"), span.toString());
        }
        assertEquals("create", create.attribute("messaging.operation"));
        assertEquals("publish", publish.attribute("messaging.operation"));
        assertEquals("learning_pulse.created", publish.attribute("messaging.rabbitmq.destination.routing_key"));
        assertEquals("confirmed", publish.attribute("outbox.outcome"));
        assertEquals("STATUS_CODE_UNSET", publish.statusCode(), publish.toString());

        ReceivedSpan process = awaitSpan(traceId, "process edupulse.pulse-statistics");
        assertEquals(publish.spanId(), process.parentSpanId(), "the consumer continues from the message: " + trace);
        assertEquals("SPAN_KIND_CONSUMER", process.kind(), process.toString());
        assertEquals(eventId, process.attribute("messaging.message.id"), process.toString());
        assertEquals("process", process.attribute("messaging.operation"), process.toString());
        assertEquals("applied", process.attribute("outbox.outcome"), process.toString());

        assertEquals(1, publish.linkedSpanIds().size(), "the producer span links to its batch: " + publish);
        ReceivedSpan batch = awaitSpanById(publish.linkedSpanIds().get(0));
        assertEquals("outbox dispatch", batch.name());
        assertTrue(Long.parseLong(batch.attribute("outbox.batch_size")) >= 1, batch.toString());
        assertTrue(Long.parseLong(batch.attribute("outbox.aggregates")) >= 1, batch.toString());
        ReceivedSpan claim = awaitSpan(batch.traceId(), "outbox claim");
        ReceivedSpan settle = awaitSpan(batch.traceId(), "outbox settle");
        assertEquals(batch.spanId(), claim.parentSpanId());
        assertEquals(batch.spanId(), settle.parentSpanId());
        assertEquals(batch.attribute("outbox.batch_size"), claim.attribute("outbox.batch_size"));
        assertEquals(batch.attribute("outbox.batch_size"), settle.attribute("outbox.batch_size"));
        assertEquals(batch.attribute("outbox.aggregates"), settle.attribute("outbox.aggregates"));
        assertTrue(Long.parseLong(settle.attribute("outbox.dispatched")) >= 1, settle.toString());

        List<ReceivedSpan> drawn = new java.util.ArrayList<>(RECEIVER.spansOfTrace(traceId));
        drawn.addAll(RECEIVER.spansOfTrace(batch.traceId()));
        Path picture = Path.of("target", "trace-waterfall-" + ServerUnderTest.current().name().toLowerCase() + ".svg");
        String server = ServerUnderTest.current() == ServerUnderTest.WILDFLY ? "WildFly" : "Open Liberty";
        Files.writeString(picture, TraceWaterfall.svg("One POST /api/pulses on " + server
                + ": the request's trace to the inbox's consumer, and the dispatcher batch its message went in", drawn));
        System.out.println("trace of one request drawn in " + picture.toAbsolutePath());
    }

    @Test
    void anEventRecordedWithoutATraceGetsAProducerSpanOfItsOwnTrace() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = "tracing_test.untraced";
        BrokerProbe.Delivery message;
        try (BrokerProbe probe = new BrokerProbe(eventType)) {
            // straight into the table: no request, no recording span, no stored trace context
            Database.insertPendingEvent("test_aggregate", aggregateId, eventType);
            message = probe.next(ofAggregate(aggregateId), ofSeconds(15));
        }
        String[] traceparent = String.valueOf(message.header("traceparent")).split("-");
        assertEquals(4, traceparent.length, "the message carries a traceparent: " + message.header("traceparent"));
        ReceivedSpan publish = awaitSpan(traceparent[1], "publish " + EXCHANGE);
        assertEquals(traceparent[2], publish.spanId());
        assertEquals("", publish.parentSpanId(), "a root span: " + publish);
        assertEquals(message.properties().getMessageId(), publish.attribute("messaging.message.id"));
    }

    private static ReceivedSpan awaitSpan(String traceId, String name) {
        return awaitSpan(traceId, span -> span.name().equals(name));
    }

    private static ReceivedSpan awaitSpan(String traceId, java.util.function.Predicate<ReceivedSpan> matching) {
        return await().atMost(ofSeconds(15)).until(
                () -> RECEIVER.spansOfTrace(traceId).stream().filter(matching).findFirst(), Optional::isPresent).get();
    }

    private static ReceivedSpan awaitSpanById(String spanId) {
        ReceivedSpan span = await().atMost(ofSeconds(15)).until(
                () -> RECEIVER.spans().stream().filter(s -> s.spanId().equals(spanId)).findFirst(),
                Optional::isPresent).get();
        assertNotNull(span);
        return span;
    }
}
