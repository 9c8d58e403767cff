package live.edupulse.outbox.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** A span the caller ends, or none when tracing is off: every method is then a no-op. */
public abstract class SpanHandle {

    final Span span;

    SpanHandle(Span span) {
        this.span = span;
    }

    /** Marks the span failed. */
    public void failed(RuntimeException e) {
        if (span != null) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
        }
    }

    public void end() {
        if (span != null) {
            span.end();
        }
    }
}
