package live.edupulse.outbox.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.api.EventRecordingException;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What AMQP cannot carry, or what would forge log lines, is refused in the business transaction:
 * {@link EventRecordingException}, the transaction rolled back, nothing written.
 */
@ExtendWith(ArquillianExtension.class)
class EventLimitsIT {

    private static final String AGGREGATE = "test_limits";

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.message.max-bytes", "4096"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    private void assertRefusedAndNothingWritten(String aggregateId, String eventType, Map<String, Object> data,
                                                String because) {
        String good = UUID.randomUUID().toString();
        EventRecordingException refused = assertThrows(EventRecordingException.class, () -> service.fire(
                new TestEvent(AGGREGATE, good, "test.limits.fine", Map.of()),
                new TestEvent(AGGREGATE, aggregateId, eventType, data)));
        assertTrue(refused.getMessage().contains(because), refused.getMessage());
        assertTrue(refused.getMessage().chars().noneMatch(c -> c == '\n' || c == '\r'), "the message is one line");
        assertEquals(List.of(), rows.ofAggregate(AGGREGATE, good), "the transaction's other event rolled back too");
        assertEquals(List.of(), rows.ofAggregate(AGGREGATE, aggregateId));
    }

    @Test
    void anEventTypeOverAShortStringIsRefused() {
        assertRefusedAndNothingWritten(UUID.randomUUID().toString(), "é".repeat(130), Map.of(), "260 bytes in UTF-8");
    }

    @Test
    void controlCharactersAreRefused() {
        assertRefusedAndNothingWritten(UUID.randomUUID() + "\nforged", "test.limits.x", Map.of(), "U+000A");
        assertRefusedAndNothingWritten(UUID.randomUUID().toString(), "test.limits.x\r\nSEVERE forged", Map.of(), "eventType");
    }

    @Test
    void aMessageOverTheConfiguredSizeIsRefused() {
        assertRefusedAndNothingWritten(UUID.randomUUID().toString(), "test.limits.x", Map.of("text", "x".repeat(5000)),
                "outbox.message.max-bytes (4096)");
    }
}
