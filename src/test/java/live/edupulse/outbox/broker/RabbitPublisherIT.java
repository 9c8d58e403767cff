package live.edupulse.outbox.broker;

import static java.time.Duration.ofSeconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import live.edupulse.outbox.config.BrokerSettings;
import live.edupulse.outbox.config.UnroutablePolicy;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.Test;

/** The publisher against the real local RabbitMQ, outside any server. */
class RabbitPublisherIT {

    private static final BrokerSettings SETTINGS = new BrokerSettings(Optional.empty(), TestServices.brokerAddress(), "/",
            TestServices.brokerUser(), TestServices.brokerPassword(), "edupulse.events", true, UnroutablePolicy.ACCEPT, Duration.ofSeconds(5), Duration.ofSeconds(5), "edupulse");

    private static OutboundMessage message(String routingKey, String aggregateId) {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                .headers(Map.of("aggregate_id", aggregateId)).build();
        return new OutboundMessage(routingKey, properties, "{}".getBytes(StandardCharsets.UTF_8), aggregateId, false);
    }

    @Test
    void nothingIsPublishedOnceTheLeaseDeadlineHasPassed() throws Exception {
        String routingKey = "test.deadline." + UUID.randomUUID();
        String aggregateId = UUID.randomUUID().toString();
        try (RabbitPublisher publisher = new RabbitPublisher(SETTINGS, "publisher-test");
             BrokerProbe probe = new BrokerProbe(routingKey)) {
            publisher.connect();
            PublishingLane lane = publisher.lane();
            long now = System.nanoTime();
            Map<String, PublishOutcome> late = lane.publish(List.of(message(routingKey, aggregateId)), now - 1, now + 1_000_000_000L);
            assertInstanceOf(PublishOutcome.Unconfirmed.class, late.values().iterator().next());

            OutboundMessage sentinel = message(routingKey, aggregateId);
            Map<String, PublishOutcome> onTime = lane.publish(List.of(sentinel), System.nanoTime() + 5_000_000_000L,
                    System.nanoTime() + 5_000_000_000L);
            assertInstanceOf(PublishOutcome.Confirmed.class, onTime.get(sentinel.messageId()));
            // The first message the queue got is the sentinel: the late one never left.
            assertEquals(sentinel.messageId(), probe.next(BrokerProbe.ofAggregate(aggregateId), ofSeconds(10))
                    .properties().getMessageId());
        }
    }

    @Test
    void lanesPublishAtTheSameTimeAndEachGetsItsOwnConfirms() throws Exception {
        String routingKey = "test.lanes." + UUID.randomUUID();
        try (RabbitPublisher publisher = new RabbitPublisher(SETTINGS, "publisher-test");
             BrokerProbe probe = new BrokerProbe(routingKey)) {
            publisher.connect();
            List<List<OutboundMessage>> batches = new java.util.ArrayList<>();
            for (int lane = 0; lane < 4; lane++) {
                List<OutboundMessage> batch = new java.util.ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    batch.add(message(routingKey, "lane-" + lane));
                }
                batches.add(batch);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Map<String, PublishOutcome>>> results = new java.util.ArrayList<>();
                for (List<OutboundMessage> batch : batches) {
                    PublishingLane lane = publisher.lane();
                    results.add(threads.submit(() -> lane.publish(batch, deadline, deadline)));
                }
                for (int lane = 0; lane < 4; lane++) {
                    Map<String, PublishOutcome> outcomes = results.get(lane).get();
                    assertEquals(500, outcomes.size(), "lane " + lane + " reports its own messages only");
                    for (OutboundMessage message : batches.get(lane)) {
                        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get(message.messageId()));
                    }
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aReturnIsReportedForTheReturnedMessageOnly() throws Exception {
        String routed = "test.routed." + UUID.randomUUID();
        String aggregateId = UUID.randomUUID().toString();
        try (RabbitPublisher publisher = new RabbitPublisher(SETTINGS, "publisher-test");
             BrokerProbe probe = new BrokerProbe(routed)) {
            publisher.connect();
            OutboundMessage first = message(routed, aggregateId);
            OutboundMessage unroutable = message("test.nobody." + UUID.randomUUID(), aggregateId);
            OutboundMessage last = message(routed, aggregateId);
            long deadline = System.nanoTime() + 5_000_000_000L;
            Map<String, PublishOutcome> outcomes = publisher.lane().publish(List.of(first, unroutable, last), deadline, deadline);
            assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get(first.messageId()));
            assertInstanceOf(PublishOutcome.Returned.class, outcomes.get(unroutable.messageId()));
            assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get(last.messageId()));
        }
    }
}
