package live.edupulse.outbox.recording;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import live.edupulse.outbox.api.DomainEvent;
import org.junit.jupiter.api.Test;

class EventShapeTest {

    private record Event(String aggregateType, String aggregateId, String eventType) implements DomainEvent {
        @Override
        public Object payload() {
            return Map.of();
        }
    }

    private static String refusal(Event event) {
        return assertThrows(IllegalArgumentException.class, () -> EventShape.check(event)).getMessage();
    }

    @Test
    void identifyingFieldsMustFitAnAmqpShortString() {
        String e130 = "é".repeat(130); // 130 characters, 260 bytes
        assertTrue(refusal(new Event("t", "a", e130)).contains("eventType is 260 bytes in UTF-8"));
        assertTrue(refusal(new Event("t", e130, "t.e")).contains("aggregateId is 260 bytes"));
        assertDoesNotThrow(() -> EventShape.check(new Event("t", "é".repeat(127), "t.e")));
    }

    @Test
    void controlCharactersAreRefusedInEveryIdentifyingField() {
        assertTrue(refusal(new Event("t", "a", "t.e\r\nINFO forged")).contains("eventType"));
        assertTrue(refusal(new Event("t", "a\nb", "t.e")).contains("aggregateId contains the control character U+000A"));
        assertTrue(refusal(new Event("t\u0007", "a", "t.e")).contains("aggregateType contains the control character U+0007"));
        assertTrue(refusal(new Event("t", "a\u0085", "t.e")).contains("U+0085"));
    }

    @Test
    void theWholeMessageMustStayWithinTheConfiguredSize() {
        Event event = new Event("t", "a", "t.e");
        assertDoesNotThrow(() -> EventShape.checkSize(event, "{}", 1024));
        String big = "{\"x\":\"" + "é".repeat(300) + "\"}"; // 600 bytes of UTF-8 in 310 characters
        String refused = assertThrows(IllegalArgumentException.class, () -> EventShape.checkSize(event, big, 1024)).getMessage();
        assertTrue(refused.contains("outbox.message.max-bytes (1024)"), refused);
    }
}
