package live.edupulse.outbox.testing;

import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/** An event whose every part the test chooses. */
public record TestEvent(String aggregateType, String aggregateId, String eventType, Map<String, Object> data)
        implements DomainEvent {

    @Override
    public Object payload() {
        return data;
    }

    /** An event type no other test uses, so a probe bound to it sees this test's messages only. */
    public static String uniqueType(String purpose) {
        return "test." + purpose + "." + UUID.randomUUID().toString().substring(0, 8);
    }
}
