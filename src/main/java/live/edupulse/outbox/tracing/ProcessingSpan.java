package live.edupulse.outbox.tracing;

import io.opentelemetry.api.trace.Span;

/** The span of a consumer processing one delivered message (or, with tracing off, none). */
public final class ProcessingSpan extends SpanHandle {

    static final ProcessingSpan NONE = new ProcessingSpan(null);

    ProcessingSpan(Span span) {
        super(span);
    }

    /** What became of the message (applied, duplicate, held, waiting). */
    public void outcome(String outcome) {
        if (span != null) {
            span.setAttribute(MessagingAttributes.OUTCOME, outcome);
        }
    }
}
