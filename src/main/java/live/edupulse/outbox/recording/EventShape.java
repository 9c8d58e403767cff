package live.edupulse.outbox.recording;

import java.nio.charset.StandardCharsets;
import live.edupulse.outbox.api.DomainEvent;

/**
 * What an event must look like to be recorded: the limits {@link DomainEvent} documents, and what
 * an AMQP message can carry. Event type, aggregate type and aggregate id travel as routing key,
 * {@code type} property and headers, where AMQP short strings hold at most 255 bytes; control
 * characters in them would reach logs and consumers' tools, so they are refused too.
 */
final class EventShape {

    /** The most bytes of an AMQP short string. */
    static final int SHORT_STRING_BYTES = 255;
    /**
     * What a message adds to its payload besides the identifying fields: the envelope's other
     * fields, the properties and the fixed headers, with room to spare.
     */
    static final int ENVELOPE_BYTES = 512;

    private EventShape() {
    }

    /** Checks the identifying fields; the payload is checked by {@link #checkSize}. */
    static void check(DomainEvent event) {
        text("aggregateType", event.aggregateType(), 100);
        text("aggregateId", event.aggregateId(), 200);
        text("eventType", event.eventType(), 200);
        if (event.eventType().chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("eventType contains whitespace");
        }
        if (event.payload() == null) {
            throw new IllegalArgumentException("payload is null");
        }
    }

    /**
     * Checks that the message this event becomes stays within {@code maxMessageBytes}: the payload,
     * the identifying fields twice (body and headers) and {@link #ENVELOPE_BYTES}.
     */
    static void checkSize(DomainEvent event, String payloadJson, int maxMessageBytes) {
        long size = (long) utf8Length(payloadJson) + ENVELOPE_BYTES + 2L * (utf8Length(event.aggregateType())
                + utf8Length(event.aggregateId()) + utf8Length(event.eventType()));
        if (size > maxMessageBytes) {
            throw new IllegalArgumentException("the message would be about " + size + " bytes, more than"
                    + " outbox.message.max-bytes (" + maxMessageBytes + ")");
        }
    }

    private static void text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters");
        }
        int bytes = utf8Length(value);
        if (bytes > SHORT_STRING_BYTES) {
            throw new IllegalArgumentException(field + " is " + bytes + " bytes in UTF-8, more than the "
                    + SHORT_STRING_BYTES + " an AMQP short string holds");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(field + " contains the control character U+"
                        + String.format("%04X", (int) value.charAt(i)));
            }
        }
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
