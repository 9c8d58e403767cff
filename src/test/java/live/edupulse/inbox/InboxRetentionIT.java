package live.edupulse.inbox;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inbox's retention: settled message ids (applied, duplicate, skipped) older than
 * {@code inbox.retention.applied-age} are deleted in chunks; younger ones, and held, retrying and
 * parked events of any age, stay.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InboxRetentionIT {

    private static final String CONSUMER = "retention-test";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("inbox.retention.applied-age", "1h", "inbox.retention.chunk-size", "7"));
    }

    @Test
    void settledIdsOlderThanTheAgeGoAndEverythingElseStays() throws Exception {
        String aggregate = UUID.randomUUID().toString();
        // What this deployment's retention would delete anyway, left by earlier runs on a local
        // database: deleted first, so the rounds (7 ids each) work on this test's rows only.
        try (Connection connection = Database.connect(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM inbox_message WHERE status IN ('applied', 'duplicate', 'skipped')"
                    + " AND settled_at < now() - interval '1 hour'");
            statement.executeUpdate("DELETE FROM inbox_applied WHERE applied_at < now() - interval '1 hour'");
        }
        try (Connection connection = Database.connect();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO inbox_message (consumer, message_id, aggregate_type, aggregate_id, aggregate_seq,
                                                event_type, occurred_at, payload, status, settled_at, received_at)
                     VALUES (?, ?, 'retention_test', ?, ?, 'test.retention', now(), '{}', ?,
                             now() - make_interval(hours => ?), now() - make_interval(hours => ?))""")) {
            long seq = 0;
            // 30 old settled ids (several chunks of 7), then what must stay
            for (String status : new String[] {"applied", "duplicate", "skipped"}) {
                for (int i = 0; i < 10; i++) {
                    add(insert, aggregate, ++seq, status, 48);
                }
            }
            add(insert, aggregate, ++seq, "applied", 0);
            for (String status : new String[] {"held", "retry", "parked"}) {
                add(insert, aggregate, ++seq, status, 48);
            }
        }
        // batches of ids applied in order: 20 old ones (several chunks of 7 rows), then a young one
        UUID young = UUID.randomUUID();
        List<UUID> old = new ArrayList<>();
        try (Connection connection = Database.connect(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO inbox_applied (consumer, applied_at, message_ids)"
                        + " VALUES (?, now() - make_interval(hours => ?), ARRAY[CAST(? AS uuid), gen_random_uuid()])")) {
            for (int i = 0; i <= 20; i++) {
                UUID id = i == 20 ? young : UUID.randomUUID();
                if (i < 20) {
                    old.add(id);
                }
                insert.setString(1, CONSUMER);
                insert.setInt(2, i == 20 ? 0 : 48);
                insert.setObject(3, id);
                insert.executeUpdate();
            }
        }
        await().atMost(ofSeconds(30)).until(() -> count(aggregate, "settled_at < now() - interval '1 hour'"
                + " AND status IN ('applied', 'duplicate', 'skipped')") == 0 && appliedBatches(old) == 0);
        assertEquals(1, appliedBatches(List.of(young)), "the young batch of applied ids stays");
        assertEquals(1, count(aggregate, "status = 'applied'"), "the young applied id stays");
        assertEquals(3, count(aggregate, "status IN ('held', 'retry', 'parked')"), "open events of any age stay");
        System.out.println("inbox retention: 30 old settled ids and 20 old batches of applied ids deleted in chunks of 7;"
                + " 1 young id, 1 young batch and 3 open kept");
    }

    private static void add(PreparedStatement insert, String aggregate, long seq, String status, int hoursAgo)
            throws Exception {
        insert.setString(1, CONSUMER);
        insert.setObject(2, UUID.randomUUID());
        insert.setString(3, aggregate);
        insert.setLong(4, seq);
        insert.setString(5, status);
        insert.setInt(6, hoursAgo);
        insert.setInt(7, hoursAgo);
        insert.executeUpdate();
    }

    private static long appliedBatches(List<UUID> containing) throws Exception {
        return Database.single("SELECT count(*) FROM inbox_applied WHERE consumer = '" + CONSUMER + "'"
                + " AND message_ids && CAST(? AS uuid[])",
                Database.uuidArray(containing));
    }

    private static long count(String aggregate, String condition) throws Exception {
        return Database.single("SELECT count(*) FROM inbox_message WHERE consumer = '" + CONSUMER
                + "' AND aggregate_id = ? AND " + condition, aggregate);
    }
}
