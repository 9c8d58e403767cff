package live.edupulse.learning.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parser's own limits refuse what no field accepts while parsing, before any tree is built. */
class JsonRequestTest {

    private static final Set<String> FIELDS = Set.of("authorId", "title");

    @Test
    void nestingDeeperThanTheLimitIsRefusedByTheParser() {
        String deep = "{\"title\":" + "[".repeat(JsonRequest.MAX_NESTING + 1) + "]".repeat(JsonRequest.MAX_NESTING + 1) + "}";
        assertTrue(refusal(deep).contains("nesting depth"), refusal(deep));
    }

    @Test
    void aNumberLongerThanTheLimitIsRefusedByTheParser() {
        String longNumber = "{\"authorId\":" + "9".repeat(JsonRequest.MAX_NUMBER + 1) + "}";
        assertTrue(refusal(longNumber).contains("Number value length"), refusal(longNumber));
    }

    @Test
    void aStringLongerThanTheLimitIsRefusedByTheParser() {
        String longString = "{\"title\":\"" + "x".repeat(JsonRequest.MAX_STRING + 1) + "\"}";
        assertTrue(refusal(longString).contains("String value length"), refusal(longString));
    }

    @Test
    void theBodyLimitIsAWholeNumberOfBytesUpToTheServersOwnLimit() {
        assertEquals(65_536, LearningApiLimits.parse(Optional.of("65536")));
        assertEquals(1_048_576, LearningApiLimits.parse(Optional.of(" 1048576 ")));
        for (String bad : new String[] {"0", "-1", "1048577", "64k", ""}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> LearningApiLimits.parse(Optional.of(bad)));
            assertTrue(refused.getMessage().startsWith("Invalid configuration learning.api.max-body-bytes: "), refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LearningApiLimits.parse(Optional.empty()));
    }

    private static String refusal(String body) {
        ProblemException refused = assertThrows(ProblemException.class, () -> JsonRequest.parse(body, FIELDS));
        assertEquals(400, refused.problem().status());
        return refused.problem().detail();
    }
}
