package live.edupulse.outbox.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach RabbitMQ and what to publish to. {@link #toString()} never shows the password.
 *
 * @param uri               an {@code amqp://} or {@code amqps://} URI; when present it wins over
 *                          addresses, virtual host, username and password
 * @param addresses         comma-separated {@code host[:port]} list (several for a cluster)
 * @param exchange          the topic exchange events are published to
 * @param declareExchange   declare the exchange (durable topic) on connecting
 * @param unroutablePolicy  what a return means
 * @param confirmTimeout    how long a batch waits for its publisher confirms before the broker
 *                          counts as failed
 * @param connectionTimeout TCP connect and AMQP handshake timeout
 * @param appId             the AMQP {@code app_id} property
 */
public record BrokerSettings(
        Optional<String> uri,
        String addresses,
        String virtualHost,
        String username,
        String password,
        String exchange,
        boolean declareExchange,
        UnroutablePolicy unroutablePolicy,
        Duration confirmTimeout,
        Duration connectionTimeout,
        String appId) {

    @Override
    public String toString() {
        return "BrokerSettings[" + uri.map(BrokerSettings::withoutPassword).orElse(username + "@" + addresses + virtualHost)
                + ", exchange=" + exchange + ", declareExchange=" + declareExchange
                + ", unroutablePolicy=" + unroutablePolicy + ", confirmTimeout=" + confirmTimeout + "]";
    }

    /** The URI with any password replaced by {@code ***}, safe for logs. */
    public static String withoutPassword(String uri) {
        return uri.replaceFirst("(?<=://)([^:/@]*):[^@/]*@", "$1:***@");
    }
}
