package live.edupulse.outbox.dispatch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import live.edupulse.outbox.broker.OutboundMessage;

/**
 * The message contract (DESIGN.md section 5, schema version 1): body
 * {@code {"eventId","aggregateType","aggregateId","aggregateSeq","eventType","occurredAt","payload"}}
 * with the payload JSON embedded exactly as it was serialized at recording (never parsed again);
 * headers {@code aggregate_type}, {@code aggregate_id}, {@code aggregate_seq}, plus the stored
 * ones ({@code traceparent} when present). The broker adds {@code schema_version} and the properties.
 */
public final class MessageEnvelope {

    static final DateTimeFormatter OCCURRED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final JsonFactory JSON = new JsonFactory();

    private MessageEnvelope() {
    }

    public static OutboundMessage of(ClaimedEvent event) {
        return new OutboundMessage(event.id().toString(), event.eventType(), event.occurredAt(), headers(event),
                body(event), event.aggregateType() + '\u0000' + event.aggregateId(), event.attempts() > 0);
    }

    static byte[] body(ClaimedEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(event.payload().length() + 256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("eventId", event.id().toString());
            json.writeStringField("aggregateType", event.aggregateType());
            json.writeStringField("aggregateId", event.aggregateId());
            json.writeNumberField("aggregateSeq", event.aggregateSeq());
            json.writeStringField("eventType", event.eventType());
            json.writeStringField("occurredAt", formatOccurredAt(event.occurredAt()));
            json.writeFieldName("payload");
            json.writeRawValue(event.payload());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    static String formatOccurredAt(Instant occurredAt) {
        return OCCURRED_AT.format(occurredAt);
    }

    private static Map<String, Object> headers(ClaimedEvent event) {
        Map<String, Object> headers = new HashMap<>();
        readStoredHeaders(event.headers(), headers);
        headers.put("aggregate_type", event.aggregateType());
        headers.put("aggregate_id", event.aggregateId());
        headers.put("aggregate_seq", event.aggregateSeq());
        return headers;
    }

    /** The stored headers column is a flat JSON object of strings, written by the recorder. */
    private static void readStoredHeaders(String stored, Map<String, Object> into) {
        if (stored == null || stored.equals("{}")) {
            return;
        }
        try (JsonParser parser = JSON.createParser(stored)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                into.put(name, parser.getValueAsString());
            }
        } catch (IOException e) {
            throw new IllegalStateException("stored headers are not a JSON object: " + e.getMessage(), e);
        }
    }
}
