package live.edupulse.inbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.TestServices;

/** Publishes messages of the outbox's contract straight to the exchange, as a test needs them (again, out of order). */
final class ContractPublisher implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;

    ContractPublisher() throws Exception {
        ConnectionFactory factory = TestServices.brokerConnectionFactory();
        connection = factory.newConnection("edupulse-test-contract-publisher");
        channel = connection.createChannel();
        channel.confirmSelect();
    }

    /** One event, as the dispatcher would publish it; waits for the broker's confirm. */
    UUID publish(UUID eventId, String aggregateType, String aggregateId, long seq, String eventType, String payloadJson)
            throws Exception {
        send(eventId, aggregateType, aggregateId, seq, eventType, payloadJson);
        channel.waitForConfirmsOrDie(10_000);
        return eventId;
    }

    /** One event of a stream: its id, aggregate and seq. */
    record Published(UUID eventId, String aggregateId, long seq) {
    }

    /**
     * A stream: {@code perAggregate} events of each aggregate (seq 1..perAggregate, payload
     * {@code {}}), interleaved as a busy outbox publishes them (seq 1 of every aggregate, then seq 2,
     * ...); waits for every confirm at the end.
     */
    List<Published> publishStream(String aggregateType, List<String> aggregateIds, int perAggregate, String eventType)
            throws Exception {
        List<Published> published = new ArrayList<>();
        for (long seq = 1; seq <= perAggregate; seq++) {
            for (String aggregateId : aggregateIds) {
                UUID eventId = UUID.randomUUID();
                send(eventId, aggregateType, aggregateId, seq, eventType, "{}");
                published.add(new Published(eventId, aggregateId, seq));
            }
        }
        channel.waitForConfirmsOrDie(60_000);
        return published;
    }

    private void send(UUID eventId, String aggregateType, String aggregateId, long seq, String eventType, String payloadJson)
            throws Exception {
        String body = "{\"eventId\":\"" + eventId + "\",\"aggregateType\":\"" + aggregateType + "\",\"aggregateId\":\""
                + aggregateId + "\",\"aggregateSeq\":" + seq + ",\"eventType\":\"" + eventType
                + "\",\"occurredAt\":\"" + Instant.now() + "\",\"payload\":" + payloadJson + "}";
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(eventId.toString())
                .type(eventType).contentType("application/json").deliveryMode(2)
                .headers(Map.of("aggregate_type", aggregateType, "aggregate_id", aggregateId, "aggregate_seq", seq))
                .build();
        channel.basicPublish(BrokerProbe.EXCHANGE, eventType, true, properties, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A message that is not an event of the contract: {@code body} as it is, under {@code routingKey}. */
    void publishBody(String routingKey, String body) throws Exception {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                .contentType("application/json").deliveryMode(2).build();
        channel.basicPublish(BrokerProbe.EXCHANGE, routingKey, true, properties, body.getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);
    }

    /** A delivery published again exactly as it came (same id, properties and body). */
    void republish(BrokerProbe.Delivery delivery) throws Exception {
        channel.basicPublish(BrokerProbe.EXCHANGE, delivery.routingKey(), true, delivery.properties(),
                delivery.body().getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}
