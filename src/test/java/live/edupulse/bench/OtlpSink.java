package live.edupulse.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/** An OTLP/HTTP endpoint for the benchmark's traced server: counts the spans it receives, keeps none. */
final class OtlpSink implements AutoCloseable {

    private final HttpServer server;
    private final AtomicLong spans = new AtomicLong();

    private OtlpSink(HttpServer server) {
        this.server = server;
    }

    static OtlpSink start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        OtlpSink sink = new OtlpSink(server);
        server.createContext("/", sink::receive);
        server.start();
        return sink;
    }

    long spans() {
        return spans.get();
    }

    private void receive(HttpExchange exchange) throws IOException {
        InputStream body = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            body = new GZIPInputStream(body);
        }
        if (exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
            for (ResourceSpans resource : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    spans.addAndGet(scope.getSpansCount());
                }
            }
        } else {
            body.readAllBytes();
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
