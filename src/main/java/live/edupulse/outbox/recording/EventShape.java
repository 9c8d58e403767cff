package live.edupulse.outbox.recording;

import live.edupulse.outbox.api.DomainEvent;

/** The limits {@link DomainEvent} documents for its identifying fields. */
final class EventShape {

    private EventShape() {
    }

    static void check(DomainEvent event) {
        text("aggregateType", event.aggregateType(), 100);
        text("aggregateId", event.aggregateId(), 200);
        text("eventType", event.eventType(), 200);
        if (event.eventType().chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("eventType '" + event.eventType() + "' contains whitespace");
        }
        if (event.payload() == null) {
            throw new IllegalArgumentException("payload is null");
        }
    }

    private static void text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is blank");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters");
        }
    }
}
