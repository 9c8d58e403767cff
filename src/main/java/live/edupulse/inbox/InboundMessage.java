package live.edupulse.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import live.edupulse.inbox.api.DeliveredEvent;

/** Reads a message of the outbox's contract (schema version 1) into a {@link DeliveredEvent}. */
final class InboundMessage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InboundMessage() {
    }

    /** @throws IllegalArgumentException when the body is not an event of the contract */
    static DeliveredEvent read(byte[] body) {
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body is not JSON: " + e.getMessage(), e);
        }
        try {
            return new DeliveredEvent(
                    UUID.fromString(text(message, "eventId")),
                    text(message, "aggregateType"),
                    text(message, "aggregateId"),
                    message.path("aggregateSeq").asLong(-1) > 0 ? message.get("aggregateSeq").asLong() : missing("aggregateSeq"),
                    text(message, "eventType"),
                    Instant.parse(text(message, "occurredAt")),
                    message.has("payload") ? message.get("payload").toString() : missing("payload"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an event of the outbox's contract: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode message, String field) {
        JsonNode value = message.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("no " + field);
        }
        return value.asText();
    }

    private static <T> T missing(String field) {
        throw new IllegalArgumentException("no " + field);
    }
}
