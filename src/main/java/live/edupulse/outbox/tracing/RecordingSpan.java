package live.edupulse.outbox.tracing;

import io.opentelemetry.api.trace.Span;
import java.util.Optional;

/**
 * The span of recording one event (or, with tracing off, none), and the {@code traceparent} the
 * event is stored with: the span's own context when tracing is on, so the publishing span becomes
 * its child; otherwise the incoming request's {@code traceparent}, forwarded as it came.
 */
public final class RecordingSpan extends SpanHandle {

    private final String traceparent;

    RecordingSpan(Span span, String traceparent) {
        super(span);
        this.traceparent = traceparent;
    }

    static RecordingSpan untraced(String incomingTraceparent) {
        return new RecordingSpan(null, incomingTraceparent);
    }

    /** The trace context to store with the event, if any. */
    public Optional<String> traceparent() {
        return Optional.ofNullable(traceparent);
    }
}
