package live.edupulse.inbox.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

/**
 * One event as the outbox published it (message contract, schema version 1).
 *
 * @param eventId      the message id, the same on every redelivery
 * @param payloadJson  the event's payload as recorded, JSON
 */
public record DeliveredEvent(UUID eventId, String aggregateType, String aggregateId, long aggregateSeq,
                             String eventType, Instant occurredAt, String payloadJson) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The payload read into a record or class of the consumer's (unknown fields are ignored). */
    public <T> T payload(Class<T> type) {
        try {
            return JSON.readValue(payloadJson, type);
        } catch (IOException e) {
            throw new UncheckedIOException("payload of event " + eventId + " is not a " + type.getSimpleName(), e);
        }
    }

    /** The payload as a JSON tree. */
    public JsonNode payload() {
        try {
            return JSON.readTree(payloadJson);
        } catch (IOException e) {
            throw new UncheckedIOException("payload of event " + eventId + " is not JSON", e);
        }
    }
}
