package live.edupulse.outbox.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** What the admin resources (outbox and inbox) share: their JSON writer and their parameter checks. */
final class AdminJson {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private AdminJson() {
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin views always serialize", e);
        }
    }

    /**
     * The answer of a command on one event: {@code {"<done>": 1}} when it changed the event, else a
     * 409 "Not parked" problem saying that the event {@code isNot}.
     */
    static String oneEvent(boolean changed, String done, UUID id, String isNot) {
        if (!changed) {
            throw new AdminProblem(409, "Not parked", "event " + id + " " + isNot, "id");
        }
        return json(Map.of(done, 1));
    }

    /** An optional text filter: null when absent or empty; at most 200 printable characters. */
    static String text(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            throw AdminProblem.badParameter(parameter, parameter + " must be at most 200 printable characters");
        }
        return value;
    }

    /** The path parameter {@code id} as an event id. */
    static UUID uuid(String id) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) {
            throw AdminProblem.badParameter("id", "id must be an event id (UUID)");
        }
        return UUID.fromString(id);
    }
}
