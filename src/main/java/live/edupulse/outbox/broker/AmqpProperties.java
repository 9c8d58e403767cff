package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/**
 * The AMQP properties of an outbox message, the same for dispatch and replay: message id, type
 * (the event type), JSON content, persistent, timestamp, app id, and the message's headers plus
 * {@code schema_version}.
 */
public final class AmqpProperties {

    /** The version of the message contract (body and headers) in {@code schema_version}. */
    public static final int SCHEMA_VERSION = 1;

    private AmqpProperties() {
    }

    /** The properties of {@code message}, with {@code extraHeaders} added to its headers. */
    public static AMQP.BasicProperties of(OutboundMessage message, String appId, Map<String, Object> extraHeaders) {
        Map<String, Object> headers = new HashMap<>(message.headers());
        headers.put("schema_version", SCHEMA_VERSION);
        headers.putAll(extraHeaders);
        return new AMQP.BasicProperties.Builder()
                .messageId(message.messageId())
                .type(message.routingKey())
                .contentType("application/json")
                .contentEncoding("utf-8")
                .deliveryMode(2)
                .timestamp(Date.from(message.timestamp()))
                .appId(appId)
                .headers(headers)
                .build();
    }
}
