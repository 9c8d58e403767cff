package live.edupulse.outbox.broker;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.TestEvent.uniqueType;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.recording.OutboxEvent;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.EventFiringService;
import live.edupulse.outbox.testing.Http;
import live.edupulse.outbox.testing.OutboxRows;
import live.edupulse.outbox.testing.ServerUnderTest;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import live.edupulse.outbox.testing.TestEvent;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The application reaches RabbitMQ only through a proxy the test controls; the proxy is closed
 * while the application deploys. The deployment succeeds, services keep recording, and the events
 * are delivered once the broker is reachable. Meanwhile the instance stays ready.
 */
@ExtendWith(ArquillianExtension.class)
class BrokerDownAtDeployIT {

    private static final int PROXY_PORT = 29672;

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.addresses", "127.0.0.1:" + PROXY_PORT,
                "outbox.broker.connection-timeout", "1s",
                "outbox.dispatch.backoff-initial", "200ms",
                "outbox.dispatch.broker-backoff-max", "1s"));
    }

    @Inject
    EventFiringService service;

    @Inject
    OutboxRows rows;

    @Test
    void deploysRecordsWhileTheBrokerIsAwayAndDeliversWhenItIsBack() throws Exception {
        String aggregateId = UUID.randomUUID().toString();
        String eventType = uniqueType("broker-away");
        try (BrokerProbe probe = new BrokerProbe(eventType);
             TcpProxy broker = new TcpProxy(PROXY_PORT, TestServices.brokerHost(), TestServices.brokerPort())) {
            service.fire(new TestEvent("test_aggregate", aggregateId, eventType, Map.of("n", 1)),
                    new TestEvent("test_aggregate", aggregateId, eventType, Map.of("n", 2)));
            List<OutboxEvent> recorded = rows.ofAggregate("test_aggregate", aggregateId);
            assertEquals(2, recorded.size());
            recorded.forEach(row -> assertNull(row.dispatchedAt()));
            // Readiness stays UP (it is the database); the broker's state is reported as data.
            HttpResponse<String> ready = new Http(ServerUnderTest.current().health()).get("health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"broker\":\"DISCONNECTED\""), ready.body());

            broker.open();
            List<BrokerProbe.Delivery> delivered = probe.collect(ofAggregate(aggregateId), 2, ofSeconds(30));
            assertEquals(List.of(1L, 2L), delivered.stream().map(d -> d.header("aggregate_seq")).toList());
            rows.ofAggregate("test_aggregate", aggregateId).forEach(row -> assertEquals(0, row.attempts(),
                    "a broker outage never spends an event's attempts"));
        }
    }
}
