package live.edupulse.outbox.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lane's attribution of outcomes when one message cannot be carried, against {@link FakeBroker},
 * which numbers confirms the way RabbitMQ does (only the messages it received).
 */
class PublishingLaneTest {

    private final FakeBroker broker = new FakeBroker();
    private final PublishingLane lane = new PublishingLane(broker::openChannel, "edupulse.events", Duration.ofSeconds(5),
            () -> null);

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    private static OutboundMessage message(String id, String key) {
        return message(id, key, "event.happened", 10, false);
    }

    private static OutboundMessage message(String id, String key, String routingKey, int bodyBytes, boolean failedBefore) {
        return new OutboundMessage(routingKey, new AMQP.BasicProperties.Builder().messageId(id).build(), new byte[bodyBytes],
                key, failedBefore);
    }

    private Map<String, PublishOutcome> publish(OutboundMessage... messages) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        return lane.publish(List.of(messages), deadline, deadline);
    }

    @Test
    void afterAMessageTheClientCannotEncodeEveryLaterAckAndNackLandsOnItsOwnMessage() {
        String tooLong = "é".repeat(130); // 260 bytes of UTF-8: the client advances its sequence, then throws
        broker.nacked.add("d1");
        Map<String, PublishOutcome> outcomes = publish(message("a1", "A"), message("b1", "B", tooLong, 10, false),
                message("c1", "C"), message("b2", "B"), message("d1", "D"), message("e1", "E"));

        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("a1"));
        assertInstanceOf(PublishOutcome.Refused.class, outcomes.get("b1"));
        assertTrue(((PublishOutcome.Refused) outcomes.get("b1")).reason().contains("Short string too long"));
        assertInstanceOf(PublishOutcome.Withheld.class, outcomes.get("b2"), "waits behind its aggregate's failed event");
        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("c1"));
        assertInstanceOf(PublishOutcome.Nacked.class, outcomes.get("d1"), "the nack is d1's, not its neighbour's");
        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("e1"));
        assertEquals(List.of("a1", "c1", "d1", "e1"), broker.received, "each sent once, b2 not at all");
        assertEquals(2, broker.channelsOpened, "the channel whose sequence ran ahead was not used again");

        broker.nacked.add("f1");
        Map<String, PublishOutcome> next = publish(message("f1", "F"), message("g1", "G"));
        assertInstanceOf(PublishOutcome.Nacked.class, next.get("f1"));
        assertInstanceOf(PublishOutcome.Confirmed.class, next.get("g1"));
    }

    @Test
    void aMessageTheBrokerClosesTheChannelForIsFoundByPublishingTheRestOneAtATime() {
        broker.maxBodyBytes = 1000;
        Map<String, PublishOutcome> outcomes = publish(message("a1", "A"), message("b1", "B", "event.happened", 5000, false),
                message("c1", "C"), message("b2", "B"), message("d1", "D"));

        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("a1"));
        PublishOutcome refused = outcomes.get("b1");
        assertInstanceOf(PublishOutcome.Refused.class, refused);
        assertTrue(((PublishOutcome.Refused) refused).reason().contains("406"), refused.toString());
        assertInstanceOf(PublishOutcome.Withheld.class, outcomes.get("b2"));
        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("c1"));
        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("d1"));
        assertEquals(List.of("a1", "c1", "d1"), broker.received, "what the broker dropped after closing went again, once");
    }

    @Test
    void aCloseThatArrivesBetweenTheLanesTwoLooksAtTheChannelLosesNoOutcomeAndKeepsOrder() {
        broker.maxBodyBytes = 1000;
        broker.closeSeenLate = true;
        Map<String, PublishOutcome> outcomes = publish(message("a1", "A"), message("b1", "B", "event.happened", 5000, false),
                message("c1", "C"), message("c2", "C"), message("c3", "C"), message("d1", "D"), message("d2", "D"));

        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("a1"));
        assertInstanceOf(PublishOutcome.Refused.class, outcomes.get("b1"), "the message the channel closed for: " + outcomes);
        for (String id : List.of("c1", "c2", "c3", "d1", "d2")) {
            assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get(id), id + ": " + outcomes);
        }
        assertEquals(List.of("a1", "c1", "c2", "c3", "d1", "d2"), broker.received,
                "the messages the broker dropped after the close went again, in order, before any later one");
    }

    @Test
    void aMessageThatFailedBeforeGoesAloneAndTakesNoNeighbourDown() {
        broker.maxBodyBytes = 1000;
        Map<String, PublishOutcome> outcomes = publish(message("a1", "A"), message("b1", "B", "event.happened", 5000, true),
                message("c1", "C"));

        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("a1"));
        assertInstanceOf(PublishOutcome.Refused.class, outcomes.get("b1"));
        assertInstanceOf(PublishOutcome.Confirmed.class, outcomes.get("c1"));
        assertEquals(List.of("a1", "c1"), broker.received, "no neighbour published twice");
    }

    @Test
    void aChannelClosedForAnythingButAMessageIsABrokerWideFailure() {
        broker.closeEveryChannelWith = AMQP.NOT_FOUND;
        Map<String, PublishOutcome> outcomes = publish(message("a1", "A"), message("b1", "B"), message("c1", "C"));

        assertEquals(3, outcomes.size());
        outcomes.values().forEach(outcome -> assertInstanceOf(PublishOutcome.Unconfirmed.class, outcome));
    }

    @Test
    void workWhileConfirmsArePendingRunsOnceAfterEveryMessageWasHandedOver() {
        List<Integer> handedOverWhenRun = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Map<String, PublishOutcome> outcomes = lane.publish(List.of(message("a1", "A"), message("b1", "B"), message("c1", "C")),
                deadline, deadline, () -> handedOverWhenRun.add(broker.handedOver.size()));

        assertEquals(List.of(3), handedOverWhenRun, "run once, after the last message was handed to the broker");
        outcomes.values().forEach(outcome -> assertInstanceOf(PublishOutcome.Confirmed.class, outcome));
    }

    @Test
    void workWhileConfirmsArePendingIsNotRunWhenTheBrokerBlocksPublishers() {
        PublishingLane blocked = new PublishingLane(broker::openChannel, "edupulse.events", Duration.ofSeconds(5),
                () -> "low on memory");
        List<String> ran = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Map<String, PublishOutcome> outcomes = blocked.publish(List.of(message("a1", "A")), deadline, deadline,
                () -> ran.add("ran"));

        assertEquals(List.of(), ran);
        assertInstanceOf(PublishOutcome.Unconfirmed.class, outcomes.get("a1"));
    }
}
