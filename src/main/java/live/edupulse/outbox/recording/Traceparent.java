package live.edupulse.outbox.recording;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C trace context ({@code traceparent}) active on the current thread, if any: set by
 * {@link TraceparentFilter} for the duration of an HTTP request that carried a valid one. The
 * recorder stores it with each event, and the dispatcher sends it as a message header, so a
 * consumer's span joins the producer's trace.
 */
public final class Traceparent {

    private static final Pattern VALID = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private Traceparent() {
    }

    public static Optional<String> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Makes {@code traceparent} current until the returned scope is closed; an invalid value
     * (wrong shape, version ff, all-zero ids) is ignored, as the W3C spec requires.
     */
    public static Scope open(String traceparent) {
        String previous = CURRENT.get();
        if (isValid(traceparent)) {
            CURRENT.set(traceparent);
        }
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    static boolean isValid(String traceparent) {
        return traceparent != null
                && VALID.matcher(traceparent).matches()
                && !traceparent.startsWith("ff")
                && !traceparent.substring(3, 35).equals("0".repeat(32))
                && !traceparent.substring(36, 52).equals("0".repeat(16));
    }

    /** Restores the previous trace context. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
