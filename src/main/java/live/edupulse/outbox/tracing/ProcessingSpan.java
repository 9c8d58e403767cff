package live.edupulse.outbox.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** The span of a consumer processing one delivered message (or, with tracing off, none). */
public final class ProcessingSpan {

    static final ProcessingSpan NONE = new ProcessingSpan(null);

    private final Span span;

    ProcessingSpan(Span span) {
        this.span = span;
    }

    /** What became of the message (applied, duplicate, held, waiting). */
    public void outcome(String outcome) {
        if (span != null) {
            span.setAttribute(MessagingAttributes.OUTCOME, outcome);
        }
    }

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
