package live.edupulse.outbox.dispatch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.rabbitmq.client.AMQP;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import live.edupulse.outbox.broker.OutboundMessage;

/**
 * The message contract (docs/architecture.md, schema version {@value #SCHEMA_VERSION}), the one
 * place that builds an outbox message, for dispatch and replay alike; the broker only carries it.
 * <ul>
 * <li>Body {@code {"eventId","aggregateType","aggregateId","aggregateSeq","eventType","occurredAt","payload"}},
 * with the payload JSON embedded exactly as it was serialized at recording (never parsed again).</li>
 * <li>Headers {@code aggregate_type}, {@code aggregate_id}, {@code aggregate_seq},
 * {@code schema_version}, plus the stored ones ({@code traceparent} when present).</li>
 * <li>Properties: message id = event id (the same on every attempt), type = event type = routing
 * key, {@code application/json} in UTF-8, persistent, timestamp = when the event occurred, the
 * configured app id.</li>
 * </ul>
 */
public final class MessageEnvelope {

    /** The version of the message contract (body and headers), sent in {@code schema_version}. */
    public static final int SCHEMA_VERSION = 1;

    static final DateTimeFormatter OCCURRED_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final JsonFactory JSON = new JsonFactory();
    private static final int PERSISTENT = 2;

    private MessageEnvelope() {
    }

    /** The complete message of {@code event}, stamped with {@code appId}. */
    public static OutboundMessage of(ClaimedEvent event, String appId) {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId(event.id().toString())
                .type(event.eventType())
                .contentType("application/json")
                .contentEncoding("utf-8")
                .deliveryMode(PERSISTENT)
                .timestamp(Date.from(event.occurredAt()))
                .appId(appId)
                .headers(headers(event))
                .build();
        return new OutboundMessage(event.eventType(), properties, body(event),
                event.aggregateType() + '\u0000' + event.aggregateId(), event.attempts() > 0);
    }

    /**
     * The body, written straight into bytes: the contract's fields in their order, string values
     * escaped as JSON (Jackson's encoder), the payload's UTF-8 bytes appended as they are. A
     * dispatcher builds one per event it publishes, so this is on the hot path.
     */
    static byte[] body(ClaimedEvent event) {
        Utf8Body body = new Utf8Body(event.payload().length() + 256);
        body.ascii("{\"eventId\":\"").ascii(event.id().toString())
                .ascii("\",\"aggregateType\":\"").escaped(event.aggregateType())
                .ascii("\",\"aggregateId\":\"").escaped(event.aggregateId())
                .ascii("\",\"aggregateSeq\":").ascii(Long.toString(event.aggregateSeq()))
                .ascii(",\"eventType\":\"").escaped(event.eventType())
                .ascii("\",\"occurredAt\":\"").ascii(formatOccurredAt(event.occurredAt()))
                .ascii("\",\"payload\":").utf8(event.payload())
                .ascii("}");
        return body.toByteArray();
    }

    /**
     * {@code occurredAt} as {@code yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'} in UTC, microseconds always
     * written (the database keeps no more). Written by hand for years 1000-9999, by
     * {@link #OCCURRED_AT} otherwise: the formatter is slower, and this runs once per
     * published event.
     */
    static String formatOccurredAt(Instant occurredAt) {
        LocalDateTime utc = LocalDateTime.ofEpochSecond(occurredAt.getEpochSecond(), occurredAt.getNano(), ZoneOffset.UTC);
        if (utc.getYear() < 1000 || utc.getYear() > 9999) {
            return OCCURRED_AT.format(occurredAt);
        }
        char[] text = "0000-00-00T00:00:00.000000Z".toCharArray();
        digits(text, 0, 4, utc.getYear());
        digits(text, 5, 2, utc.getMonthValue());
        digits(text, 8, 2, utc.getDayOfMonth());
        digits(text, 11, 2, utc.getHour());
        digits(text, 14, 2, utc.getMinute());
        digits(text, 17, 2, utc.getSecond());
        digits(text, 20, 6, utc.getNano() / 1_000);
        return new String(text);
    }

    /** Writes {@code value} as {@code width} decimal digits ending at {@code from + width}. */
    private static void digits(char[] into, int from, int width, int value) {
        for (int i = from + width - 1; i >= from; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** A growing UTF-8 byte buffer, unsynchronized (one message, one thread). */
    private static final class Utf8Body {
        private byte[] bytes;
        private int size;

        Utf8Body(int capacity) {
            bytes = new byte[capacity];
        }

        /** Text known to be ASCII: the contract's names and punctuation, a UUID, digits. */
        Utf8Body ascii(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                bytes[size++] = (byte) text.charAt(i);
            }
            return this;
        }

        Utf8Body escaped(String value) {
            return append(JsonStringEncoder.getInstance().quoteAsUTF8(value));
        }

        Utf8Body utf8(String text) {
            return append(text.getBytes(StandardCharsets.UTF_8));
        }

        private Utf8Body append(byte[] more) {
            ensure(more.length);
            System.arraycopy(more, 0, bytes, size, more.length);
            size += more.length;
            return this;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }

    private static Map<String, Object> headers(ClaimedEvent event) {
        Map<String, Object> headers = new HashMap<>();
        readStoredHeaders(event.headers(), headers);
        headers.put("aggregate_type", event.aggregateType());
        headers.put("aggregate_id", event.aggregateId());
        headers.put("aggregate_seq", event.aggregateSeq());
        headers.put("schema_version", SCHEMA_VERSION);
        return headers;
    }

    /** The stored headers column is a flat JSON object of strings, written by the recorder. */
    private static void readStoredHeaders(String stored, Map<String, Object> into) {
        if (stored == null || stored.equals("{}")) {
            return;
        }
        try (JsonParser parser = JSON.createParser(stored)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                into.put(name, parser.getValueAsString());
            }
        } catch (IOException e) {
            throw new IllegalStateException("stored headers are not a JSON object: " + e.getMessage(), e);
        }
    }
}
