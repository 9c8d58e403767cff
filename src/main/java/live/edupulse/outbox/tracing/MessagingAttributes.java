package live.edupulse.outbox.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute names of the spans, from the OpenTelemetry semantic conventions for messaging
 * (both the current {@code messaging.operation.type}/{@code .name} and the older
 * {@code messaging.operation}, which many back ends still index) and the outbox's own.
 */
final class MessagingAttributes {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> ROUTING_KEY = AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");

    static final AttributeKey<String> AGGREGATE_TYPE = AttributeKey.stringKey("outbox.aggregate.type");
    static final AttributeKey<String> AGGREGATE_ID = AttributeKey.stringKey("outbox.aggregate.id");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("outbox.event.type");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outbox.outcome");
    static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("outbox.batch_size");
    static final AttributeKey<Long> AGGREGATES = AttributeKey.longKey("outbox.aggregates");
    static final AttributeKey<Long> DISPATCHED = AttributeKey.longKey("outbox.dispatched");
    static final AttributeKey<Long> FAILED = AttributeKey.longKey("outbox.failed");
    static final AttributeKey<Long> RELEASED = AttributeKey.longKey("outbox.released");
    static final AttributeKey<Long> FENCED_OFF = AttributeKey.longKey("outbox.fenced_off");

    static final String RABBITMQ = "rabbitmq";

    private MessagingAttributes() {
    }
}
