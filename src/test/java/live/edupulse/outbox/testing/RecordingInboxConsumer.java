package live.edupulse.outbox.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * An inbox consumer for tests: takes {@code test.inbox.#} and writes one row per applied event
 * into {@code inbox_test_effect} (created by {@link #TABLES}), in the inbox's transaction. It
 * fails for an aggregate listed in {@code inbox_test_poison}.
 */
@ApplicationScoped
public class RecordingInboxConsumer implements InboxConsumer {

    public static final String NAME = "test-recorder";
    public static final String ROUTING_KEY_PREFIX = "test.inbox.";
    public static final String TABLES = """
            CREATE TABLE IF NOT EXISTS inbox_test_effect (
                applied_order bigserial PRIMARY KEY,
                message_id    uuid   NOT NULL,
                aggregate_id  text   NOT NULL,
                aggregate_seq bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS inbox_test_poison (aggregate_id text PRIMARY KEY);
            """;

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> eventTypes() {
        return List.of(ROUTING_KEY_PREFIX + "#");
    }

    @Override
    public void apply(DeliveredEvent event) {
        boolean poisoned = !entityManager.createNativeQuery("SELECT 1 FROM inbox_test_poison WHERE aggregate_id = ?1")
                .setParameter(1, event.aggregateId()).getResultList().isEmpty();
        if (poisoned) {
            throw new IllegalStateException("poisoned aggregate " + event.aggregateId());
        }
        entityManager.createNativeQuery(
                        "INSERT INTO inbox_test_effect (message_id, aggregate_id, aggregate_seq) VALUES (?1, ?2, ?3)")
                .setParameter(1, event.eventId())
                .setParameter(2, event.aggregateId())
                .setParameter(3, event.aggregateSeq())
                .executeUpdate();
    }
}
