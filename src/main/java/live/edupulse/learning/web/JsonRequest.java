package live.edupulse.learning.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A request body read strictly: one JSON object, no duplicate keys, nothing after it, only the
 * fields the endpoint knows. Every refusal is a {@link ProblemException} that names the field.
 * The parser's own limits refuse, while parsing, what no field accepts: a document longer than the
 * largest body limit that may be configured, nesting deeper than {@value #MAX_NESTING}, a string
 * longer than {@value #MAX_STRING} characters, a number longer than {@value #MAX_NUMBER} digits.
 */
final class JsonRequest {

    static final int MAX_NESTING = 8;
    static final int MAX_STRING = 65_536;
    static final int MAX_NUMBER = 32;

    private static final JsonFactory BOUNDED = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(LearningApiLimits.MAX_LIMIT)
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(MAX_STRING)
                    .maxNumberLength(MAX_NUMBER)
                    .maxNameLength(256)
                    .build())
            .build();

    private static final ObjectMapper STRICT = new ObjectMapper(BOUNDED)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final ObjectNode body;

    private JsonRequest(ObjectNode body) {
        this.body = body;
    }

    static JsonRequest parse(String text, Set<String> knownFields) {
        if (text == null || text.isBlank()) {
            throw new ProblemException(Problem.badRequest("the request body is empty; send a JSON object"));
        }
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProblemException(Problem.badRequest("the request body is not valid JSON: " + e.getOriginalMessage()));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ProblemException(Problem.badRequest("the request body must be a JSON object"));
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!knownFields.contains(name)) {
                throw new ProblemException(Problem.invalidField(name, "unknown field '" + name + "'"));
            }
        }
        return new JsonRequest(object);
    }

    UUID requiredUuid(String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ProblemException(Problem.invalidField(field, field + " is required"));
        }
        if (!value.isTextual()) {
            throw new ProblemException(Problem.invalidField(field, field + " must be a UUID string"));
        }
        return uuid(field, value.textValue());
    }

    /**
     * @param maxLength   in characters (Unicode code points)
     * @param multiline   whether line breaks and tabs are allowed
     */
    String requiredText(String field, int minLength, int maxLength, boolean multiline) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ProblemException(Problem.invalidField(field, field + " is required"));
        }
        if (!value.isTextual()) {
            throw new ProblemException(Problem.invalidField(field, field + " must be a string"));
        }
        return Text.check(field, value.textValue(), minLength, maxLength, multiline);
    }

    /** A UUID in its canonical 36-character form (the JDK's parser also accepts odd short forms). */
    static UUID uuid(String field, String text) {
        if (text == null || !CANONICAL_UUID.matcher(text).matches()) {
            throw new ProblemException(Problem.invalidField(field, field + " must be a UUID such as 3f2b6c1e-8d4a-4c5e-9b7a-2e1f0d9c8b7a"));
        }
        return UUID.fromString(text);
    }
}
