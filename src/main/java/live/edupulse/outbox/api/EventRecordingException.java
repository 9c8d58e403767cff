package live.edupulse.outbox.api;

import jakarta.ejb.ApplicationException;

/**
 * An event could not be recorded in the outbox: no active JTA transaction, fired asynchronously,
 * invalid event, or the database refused the row.
 *
 * <p>When a transaction was active, it has been marked rollback-only before this exception left the
 * recorder: a caller that catches it still cannot commit its business change without its event.
 * {@code rollback = true} makes EJB callers roll back too instead of treating it as a business
 * outcome.
 */
@ApplicationException(rollback = true)
public class EventRecordingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String eventType;

    public EventRecordingException(String eventType, String message, Throwable cause) {
        super("Event " + printable(eventType) + " was not recorded: " + message, cause);
        this.eventType = eventType;
    }

    public EventRecordingException(String eventType, String message) {
        this(eventType, message, null);
    }

    /** The event type for a log line: control characters escaped, at most 120 characters. */
    private static String printable(String eventType) {
        if (eventType == null) {
            return "null";
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < eventType.length() && shown.length() < 120; i++) {
            char c = eventType.charAt(i);
            shown.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return shown.length() < eventType.length() ? shown + "..." : shown.toString();
    }

    /** The event type of the event that was refused (as given, possibly null if the event had none). */
    public String eventType() {
        return eventType;
    }
}
