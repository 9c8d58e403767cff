package live.edupulse.outbox.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Map;

/**
 * Serializes event payloads to JSON text, once, at recording. Dates as ISO-8601 strings. Thread-safe.
 */
public final class PayloadJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private PayloadJson() {
    }

    /**
     * @throws IllegalArgumentException when the payload cannot be serialized, with Jackson's reason
     */
    public static String write(Object payload) {
        try {
            String json = MAPPER.writeValueAsString(payload);
            if (!json.startsWith("{")) {
                throw new IllegalArgumentException("payload must serialize to a JSON object, got " + abbreviate(json));
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not serializable to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The stored headers column: a flat JSON object of string values. */
    public static String writeHeaders(Map<String, String> headers) {
        try {
            return MAPPER.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("headers are plain strings and always serialize", e);
        }
    }

    private static String abbreviate(String json) {
        return json.length() <= 40 ? json : json.substring(0, 40) + "...";
    }
}
