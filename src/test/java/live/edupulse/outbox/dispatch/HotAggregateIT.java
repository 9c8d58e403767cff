package live.edupulse.outbox.dispatch;

import static java.time.Duration.ofMinutes;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Map;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventLedger;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxTable;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One aggregate with 5,000 events committed at once drains in order, in batches, not one event
 * per tick; the time from the commit to the last delivery is printed.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HotAggregateIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    @Test
    void fiveThousandEventsOfOneAggregateDrainInOrder() throws Exception {
        int events = 5_000;
        String type = uniqueType("hot").replace('.', '_').replace('-', '_');
        String routingKey = "test." + type;
        try (EventLedger ledger = new EventLedger(routingKey)) {
            long started = System.nanoTime();
            // one transaction records all 5,000: the whole drain happens after its commit
            assertEquals(Integer.toString(events), new Http(base).post("api/test/events?type=" + type + "&prefix=" + type
                    + "&routingKey=" + routingKey + "&count=" + events + "&aggregates=1&perTransaction=" + events, null).body());
            long committed = System.nanoTime();
            OutboxTable table = new OutboxTable(type);
            assertTrue(ledger.awaitAll(table.ids(), ofMinutes(5)), "all delivered");
            long drained = System.nanoTime();
            Map<String, Integer> perAggregate = table.eventsPerAggregate();
            assertEquals(Map.of(type + "-0", events), perAggregate);
            assertEquals(java.util.List.of(), ledger.orderViolations(perAggregate));
            System.out.printf("HOT AGGREGATE: %d events of one aggregate recorded in one transaction in %.2fs, "
                            + "all delivered in order %.2fs after the commit (%.0f events/s)%n", events,
                    (committed - started) / 1e9, (drained - committed) / 1e9, events / ((drained - committed) / 1e9));
        }
    }
}
