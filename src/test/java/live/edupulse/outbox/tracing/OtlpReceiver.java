package live.edupulse.outbox.tracing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver for tests: accepts {@code POST /v1/traces} in the protobuf encoding (gzip
 * or not), decodes it with the published OpenTelemetry proto classes and keeps every span. Other
 * signals are accepted and dropped.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One received span; ids in lower-case hex, the parent's empty for a root span. */
    record ReceivedSpan(String scope, String traceId, String spanId, String parentSpanId, String name, String kind,
                        Map<String, String> attributes, List<String> linkedSpanIds, String statusCode,
                        long startEpochNanos, long endEpochNanos) {

        String attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return name + " [" + kind + "] " + traceId + "/" + spanId + " parent=" + parentSpanId + " " + attributes;
        }
    }

    private static final HexFormat HEX = HexFormat.of();

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/v1/traces", receiver::traces);
            server.createContext("/", OtlpReceiver::accepted);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " for OTLP", e);
        }
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    List<ReceivedSpan> spansOfTrace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    private void traces(HttpExchange exchange) throws IOException {
        try (InputStream body = body(exchange)) {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            for (ResourceSpans resource : request.getResourceSpansList()) {
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                        spans.add(decode(scope.getScope().getName(), span));
                    }
                }
            }
        }
        reply(exchange, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
    }

    private static ReceivedSpan decode(String scope, io.opentelemetry.proto.trace.v1.Span span) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (KeyValue attribute : span.getAttributesList()) {
            attributes.put(attribute.getKey(), text(attribute.getValue()));
        }
        List<String> links = span.getLinksList().stream().map(link -> HEX.formatHex(link.getSpanId().toByteArray())).toList();
        return new ReceivedSpan(scope, HEX.formatHex(span.getTraceId().toByteArray()),
                HEX.formatHex(span.getSpanId().toByteArray()), HEX.formatHex(span.getParentSpanId().toByteArray()),
                span.getName(), span.getKind().name(), attributes, links, span.getStatus().getCode().name(),
                span.getStartTimeUnixNano(), span.getEndTimeUnixNano());
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        InputStream body = exchange.getRequestBody();
        return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(body) : body;
    }

    private static void accepted(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        reply(exchange, new byte[0]);
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
