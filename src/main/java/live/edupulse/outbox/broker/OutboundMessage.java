package live.edupulse.outbox.broker;

import java.time.Instant;
import java.util.Map;

/**
 * One message to publish to the configured exchange.
 *
 * @param messageId    AMQP message-id, the same on every attempt (the event id)
 * @param routingKey   routing key and AMQP {@code type} (the event type)
 * @param timestamp    AMQP timestamp (when the event occurred)
 * @param headers      AMQP headers (String, Long or Integer values)
 * @param body         the JSON body, UTF-8
 * @param orderingKey  messages with the same key keep their order: once one of a batch fails, the
 *                     later ones with its key are {@link PublishOutcome.Withheld}
 * @param failedBefore an earlier attempt failed: the message is published alone (after the
 *                     confirms of what precedes it), so that if the broker closes the channel
 *                     because of it, no neighbour is left unconfirmed
 */
public record OutboundMessage(String messageId, String routingKey, Instant timestamp, Map<String, Object> headers,
                              byte[] body, String orderingKey, boolean failedBefore) {
}
