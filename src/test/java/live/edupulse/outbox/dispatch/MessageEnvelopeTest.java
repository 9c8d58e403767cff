package live.edupulse.outbox.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.broker.OutboundMessage;
import org.junit.jupiter.api.Test;

class MessageEnvelopeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UUID ID = UUID.fromString("0190d2a4-7b3c-7def-8123-456789abcdef");

    private static ClaimedEvent event(String payload, String headers, Instant occurredAt) {
        return new ClaimedEvent(ID, "learning_pulse", "p-1", 7, "learning_pulse.created", payload, headers, occurredAt, 0);
    }

    @Test
    void bodyCarriesTheContractFieldsAndThePayloadAsRecorded() throws Exception {
        String payload = "{\"title\":\"Fractions \\u0000 \u00e9\",\"b\":1,\"a\":[2,1]}";
        OutboundMessage message = MessageEnvelope.of(event(payload, "{}", Instant.parse("2026-11-26T10:15:30.123456Z")), "edupulse");

        String body = new String(message.body(), StandardCharsets.UTF_8);
        JsonNode json = JSON.readTree(body);
        assertEquals(List.of("eventId", "aggregateType", "aggregateId", "aggregateSeq", "eventType", "occurredAt", "payload"),
                iterableToList(json.fieldNames()));
        assertEquals(ID.toString(), json.get("eventId").asText());
        assertEquals("learning_pulse", json.get("aggregateType").asText());
        assertEquals("p-1", json.get("aggregateId").asText());
        assertEquals(7, json.get("aggregateSeq").asLong());
        assertEquals("learning_pulse.created", json.get("eventType").asText());
        assertEquals("2026-11-26T10:15:30.123456Z", json.get("occurredAt").asText());
        // The payload is embedded byte for byte: never parsed, re-ordered or re-escaped.
        assertEquals("\"payload\":" + payload + "}", body.substring(body.indexOf("\"payload\":")));
    }

    @Test
    void occurredAtAlwaysHasSixFractionDigitsInUtc() {
        assertEquals("2026-01-02T03:04:05.000000Z", MessageEnvelope.formatOccurredAt(Instant.parse("2026-01-02T03:04:05Z")));
        assertEquals("2026-01-02T03:04:05.100000Z", MessageEnvelope.formatOccurredAt(Instant.parse("2026-01-02T03:04:05.1Z")));
        for (String instant : List.of("1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999Z", "2026-12-31T12:00:00.000001Z",
                "1000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "0999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z")) {
            Instant at = Instant.parse(instant);
            assertEquals(MessageEnvelope.OCCURRED_AT.format(at), MessageEnvelope.formatOccurredAt(at), instant);
        }
    }

    @Test
    void bodyIsTheJsonAGeneratorWritesForAnyText() throws Exception {
        List<String> texts = List.of("plain", "quote \" and back\\slash / slash", "control \u0000 \u0001 \n \t \u001f",
                "Lat\u00e9 \u4e2d\u6587 \ud83d\ude00", "\u2028\u2029", "");
        for (String text : texts) {
            ClaimedEvent event = new ClaimedEvent(ID, "type " + text, text, Long.MAX_VALUE, "event." + text,
                    "{\"t\":\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}", "{}",
                    Instant.parse("2026-11-26T10:15:30.000010Z"), 0);
            assertEquals(generated(event), new String(MessageEnvelope.body(event), StandardCharsets.UTF_8), text);
        }
    }

    /** The body as Jackson's generator writes it, field by field: the reference of the contract. */
    private static String generated(ClaimedEvent event) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator json = JSON.getFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("eventId", event.id().toString());
            json.writeStringField("aggregateType", event.aggregateType());
            json.writeStringField("aggregateId", event.aggregateId());
            json.writeNumberField("aggregateSeq", event.aggregateSeq());
            json.writeStringField("eventType", event.eventType());
            json.writeStringField("occurredAt", MessageEnvelope.OCCURRED_AT.format(event.occurredAt()));
            json.writeFieldName("payload");
            json.writeRawValue(event.payload());
            json.writeEndObject();
        }
        return out.toString();
    }

    @Test
    void messageIdentityRoutingHeadersAndProperties() {
        OutboundMessage message = MessageEnvelope.of(event("{}",
                "{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}", Instant.EPOCH), "edupulse-test");
        assertEquals(ID.toString(), message.messageId());
        assertEquals("learning_pulse.created", message.routingKey());
        assertEquals("learning_pulse", message.headers().get("aggregate_type"));
        assertEquals("p-1", message.headers().get("aggregate_id"));
        assertEquals(7L, message.headers().get("aggregate_seq"));
        assertEquals(MessageEnvelope.SCHEMA_VERSION, message.headers().get("schema_version"));
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", message.headers().get("traceparent"));
        assertEquals(5, message.headers().size());
        AMQP.BasicProperties properties = message.properties();
        assertEquals(ID.toString(), properties.getMessageId());
        assertEquals("learning_pulse.created", properties.getType());
        assertEquals("application/json", properties.getContentType());
        assertEquals("utf-8", properties.getContentEncoding());
        assertEquals(2, properties.getDeliveryMode(), "persistent");
        assertEquals(Date.from(Instant.EPOCH), properties.getTimestamp());
        assertEquals("edupulse-test", properties.getAppId());
    }

    @Test
    void addedHeadersKeepTheRestOfTheMessage() {
        OutboundMessage message = MessageEnvelope.of(event("{}", "{}", Instant.EPOCH), "edupulse");
        OutboundMessage replayed = message.withHeaders(Map.of("x-edupulse-replay", "job-1"));
        assertEquals("job-1", replayed.headers().get("x-edupulse-replay"));
        assertEquals(message.headers().size() + 1, replayed.headers().size());
        assertEquals(message.messageId(), replayed.messageId());
        assertEquals("edupulse", replayed.properties().getAppId());
        assertEquals(null, message.headers().get("x-edupulse-replay"), "the original is unchanged");
    }

    private static <T> List<T> iterableToList(java.util.Iterator<T> iterator) {
        List<T> list = new java.util.ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
