package live.edupulse.outbox.config;

import java.time.Duration;
import java.util.Optional;

/**
 * How to reach RabbitMQ and what to publish to. {@link #toString()} and {@link #display()} are built
 * from parsed parts and never show the password.
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

    /** The URI taken apart, when one is given (validated at deploy, so this does not throw then). */
    public Optional<BrokerEndpoint> endpoint() {
        return uri.map(BrokerEndpoint::parse);
    }

    /** The broker as logs name it: scheme, hosts, ports and virtual host, never user information. */
    public String display() {
        return endpoint().map(BrokerEndpoint::display)
                .orElse("amqp://" + addresses + " (virtual host '" + virtualHost + "')");
    }

    /**
     * Text from elsewhere (an exception message) with the password, and the raw URI's user
     * information, replaced by {@code ***}: a last guard for text that should never have held them.
     */
    public String scrub(String text) {
        if (text == null) {
            return "";
        }
        String scrubbed = text;
        if (uri.isPresent()) {
            String raw = uri.get();
            int at = raw.lastIndexOf('@');
            int start = raw.indexOf("://") + 3;
            if (at > start) {
                String userInfo = raw.substring(start, at);
                scrubbed = scrubbed.replace(userInfo, "***");
                int colon = userInfo.indexOf(':');
                if (colon >= 0 && colon < userInfo.length() - 1) {
                    scrubbed = scrubbed.replace(userInfo.substring(colon + 1), "***");
                }
            }
        }
        String secret = endpoint().map(BrokerEndpoint::password).orElse(password);
        if (secret != null && !secret.isEmpty()) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
    }

    @Override
    public String toString() {
        return "BrokerSettings[" + display() + ", user=" + endpoint().map(BrokerEndpoint::username).orElse(username)
                + ", exchange=" + exchange + ", declareExchange=" + declareExchange
                + ", unroutablePolicy=" + unroutablePolicy + ", confirmTimeout=" + confirmTimeout + "]";
    }
}
