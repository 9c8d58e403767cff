package live.edupulse.outbox.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TopicPatternsTest {

    private static boolean matches(String routingKey, String... patterns) {
        return Pattern.compile(TopicPatterns.regex(List.of(patterns))).matcher("." + routingKey).matches();
    }

    @Test
    void wordsStarAndHashMatchAsTheBrokerRoutes() {
        assertTrue(matches("submission.received", "submission.received"));
        assertFalse(matches("submission.received.late", "submission.received"));
        assertTrue(matches("learning_pulse.created", "learning_pulse.*"));
        assertFalse(matches("learning_pulse", "learning_pulse.*"));
        assertFalse(matches("learning_pulse.a.b", "learning_pulse.*"));
        assertTrue(matches("learning_pulse", "learning_pulse.#"));
        assertTrue(matches("learning_pulse.a.b", "learning_pulse.#"));
        assertTrue(matches("anything.at.all", "#"));
        assertTrue(matches("a.b.c", "#.c"));
        assertTrue(matches("c", "#.c"));
        assertFalse(matches("a.b.cd", "#.c"));
        assertTrue(matches("x.mid.y", "*.mid.*"));
    }

    @Test
    void anyOfSeveralPatternsMatchesAndNothingElse() {
        assertTrue(matches("submission.received", "learning_pulse.*", "submission.received"));
        assertTrue(matches("learning_pulse.closed", "learning_pulse.*", "submission.received"));
        assertFalse(matches("learning_pulsexcreated", "learning_pulse.*", "submission.received"));
        assertFalse(matches("other.event", "learning_pulse.*", "submission.received"));
    }

    @Test
    void onlyWordsStarsAndHashesAreTaken() {
        assertNull(TopicPatterns.problem("learning_pulse.*"));
        assertNull(TopicPatterns.problem("a-b.#.c_d"));
        assertNotNull(TopicPatterns.problem("a.(b|c)"));
        assertNotNull(TopicPatterns.problem("a.b*"));
        assertNotNull(TopicPatterns.problem(""));
        assertNotNull(TopicPatterns.problem("a..b"));
        assertEquals("^(?:(?:\\.a\\.[^.]+))$", TopicPatterns.regex(List.of("a.*")));
    }
}
