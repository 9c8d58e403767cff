package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import java.util.HashMap;
import java.util.Map;

/**
 * One message to publish to the configured exchange, complete: the broker adds nothing to it.
 *
 * @param routingKey   the routing key
 * @param properties   the AMQP properties, headers included (the message id is the event id,
 *                     the same on every attempt)
 * @param body         the JSON body, UTF-8
 * @param orderingKey  messages with the same key keep their order: once one of a batch fails, the
 *                     later ones with its key are {@link PublishOutcome.Withheld}
 * @param failedBefore an earlier attempt failed: the message is published alone (after the
 *                     confirms of what precedes it), so that if the broker closes the channel
 *                     because of it, no neighbour is left unconfirmed
 */
public record OutboundMessage(String routingKey, AMQP.BasicProperties properties, byte[] body, String orderingKey,
                              boolean failedBefore) {

    /** The AMQP message id, by which publish outcomes are reported. */
    public String messageId() {
        return properties.getMessageId();
    }

    /** The AMQP headers (String, Long or Integer values), never null. */
    public Map<String, Object> headers() {
        return properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    }

    /** The same message with {@code added} put into its headers (replacing any of the same name). */
    public OutboundMessage withHeaders(Map<String, Object> added) {
        Map<String, Object> headers = new HashMap<>(headers());
        headers.putAll(added);
        return new OutboundMessage(routingKey, properties.builder().headers(headers).build(), body, orderingKey,
                failedBefore);
    }
}
