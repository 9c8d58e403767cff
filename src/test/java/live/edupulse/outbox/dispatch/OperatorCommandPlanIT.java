package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.PlanFixture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's commands on outbox rows ({@link OutboxStore#retry}, {@link OutboxStore#retryAll},
 * {@link OutboxStore#discard}) against 200,000 rows of one aggregate type ({@link PlanFixture}),
 * deleted afterwards: each statement's plan reads an index (the primary key, or the parked
 * events' partial index), never the whole table. The deployment applies the schema.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperatorCommandPlanIT {

    private static final String TYPE = "test_command_plan_" + UUID.randomUUID().toString().substring(0, 8);
    private static final int ROWS = 200_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @BeforeAll
    static void twoHundredThousandRows() throws Exception {
        PlanFixture.insert(TYPE, ROWS);
    }

    @AfterAll
    static void deleteTheRows() throws Exception {
        PlanFixture.delete(TYPE);
    }

    @Test
    void everyOperatorCommandReadsAnIndexNotTheTable() throws Exception {
        Map<String, List<Object>> commands = Map.of(
                OutboxStore.retryAllSql(TYPE, "agg-7", null), List.of(TYPE, "agg-7"),
                OutboxStore.retryAllSql(null, null, "test.plan.3"), List.of("test.plan.3"),
                OutboxStore.RETRY_SQL, List.of(UUID.randomUUID()),
                OutboxStore.DISCARD_SQL, List.of("reason", "tester", UUID.randomUUID()));
        try (Connection connection = Database.connect()) {
            for (Map.Entry<String, List<Object>> command : commands.entrySet()) {
                String plan = PlanFixture.explain(connection, command.getKey(), command.getValue());
                System.out.println("PLAN " + command.getKey().replaceAll("\\s+", " ") + " " + command.getValue() + "\n" + plan);
                assertFalse(plan.contains("Seq Scan on outbox_event"), command.getKey() + "\n" + plan);
                assertTrue(plan.contains("Index"), command.getKey() + "\n" + plan);
            }
        }
    }
}
