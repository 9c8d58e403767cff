package live.edupulse.outbox.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import live.edupulse.outbox.config.BrokerEndpoint;
import live.edupulse.outbox.config.BrokerSettings;

/**
 * Connection factories for the configured broker, the same for the publisher and the inbox:
 * credentials from the parsed URI or the separate keys, TLS with host name verification for
 * {@code amqps}, timeouts, heartbeats and automatic recovery with topology recovery (queues,
 * bindings and consumers). The exchange is declared by {@link #declareExchange} on each new
 * connection and, through {@link #declareExchangeOnRecovery}, each time recovery brings one back.
 *
 * <p>A broker that lost its definitions gets the exchange back from whichever connection recovers
 * first, and each consumer's queue and bindings from that consumer's connection. A consumer whose
 * binding is not back yet misses what the outbox publishes in between (the broker returns a
 * message only when no queue at all takes it: then {@code unroutable-policy=retry} tries it again
 * as an attempt, {@code accept} marks it unroutable); its catch-up replay or an operator's brings
 * it. A deleted exchange on a broker that stays up is not declared again until a connection
 * recovers or is made anew: until then the outbox's publishes are refused and its events wait.
 */
public final class RabbitConnections {

    private static final Logger LOG = Logger.getLogger(RabbitConnections.class.getName());

    private RabbitConnections() {
    }

    /**
     * Declares the configured exchange (topic, durable) on a channel of its own, unless the
     * settings leave the broker's topology to its operators ({@code declare-exchange=false}).
     */
    public static void declareExchange(Connection connection, BrokerSettings settings) throws IOException, TimeoutException {
        if (!settings.declareExchange()) {
            return;
        }
        try (Channel declaring = connection.createChannel()) {
            declaring.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, true);
        }
    }

    /**
     * Declares the exchange again whenever automatic recovery brings {@code connection} back, after
     * the connection and its channels and before the queues, bindings and consumers recorded on it.
     * A broker that lost its definitions (reset, or a new node without its data) gets the exchange
     * back, and the bindings recovered next find it; without it every publish would be refused for
     * a missing exchange and no binding could be recovered. A declaration that fails is logged.
     */
    public static void declareExchangeOnRecovery(Connection connection, BrokerSettings settings) {
        if (!settings.declareExchange() || !(connection instanceof Recoverable recoverable)) {
            return;
        }
        recoverable.addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleTopologyRecoveryStarted(Recoverable recovering) {
                try {
                    declareExchange((Connection) recovering, settings);
                } catch (IOException | TimeoutException | RuntimeException e) {
                    LOG.warning(() -> "Could not declare exchange '" + settings.exchange()
                            + "' on recovery; bindings to it may not be recovered: " + settings.scrub(String.valueOf(e.getMessage())));
                    LOG.log(Level.FINE, "declaring the exchange on recovery", e);
                }
            }

            @Override
            public void handleRecovery(Recoverable recovered) {
                // declared before the topology, above
            }

            @Override
            public void handleRecoveryStarted(Recoverable recovering) {
                // nothing to declare until the connection is back
            }
        });
    }

    /** A factory for connections named {@code connectionName} in the broker's management UI. */
    public static ConnectionFactory factory(BrokerSettings settings, String connectionName) throws GeneralSecurityException {
        ConnectionFactory factory = new ConnectionFactory();
        // Built from the URI's parsed parts, never from the URI text: the client's own errors for a
        // URI it cannot parse quote the URI, password included.
        Optional<BrokerEndpoint> endpoint = settings.endpoint();
        if (endpoint.isPresent()) {
            factory.setVirtualHost(endpoint.get().virtualHost());
            factory.setUsername(endpoint.get().username());
            factory.setPassword(endpoint.get().password());
            if (endpoint.get().tls()) {
                // verify the server's certificate and host name against the JVM's trust store
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
        } else {
            factory.setVirtualHost(settings.virtualHost());
            factory.setUsername(settings.username());
            factory.setPassword(settings.password());
        }
        int timeout = (int) settings.connectionTimeout().toMillis();
        factory.setConnectionTimeout(timeout);
        factory.setHandshakeTimeout(timeout);
        factory.setShutdownTimeout(timeout);
        factory.setChannelRpcTimeout((int) Math.max(settings.confirmTimeout().toMillis(), timeout));
        factory.setRequestedHeartbeat(20);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        // The exchange is declared on channels closed at once; the client would declare it again on
        // recovery through such a closed channel and report a failure. declareExchangeOnRecovery
        // declares it on a live channel instead.
        factory.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterExchange(RecordedExchange exchange) {
                return false;
            }
        });
        factory.setNetworkRecoveryInterval(2000);
        Map<String, Object> clientProperties = new HashMap<>(factory.getClientProperties());
        clientProperties.put("connection_name", connectionName);
        factory.setClientProperties(clientProperties);
        return factory;
    }

    /** The broker's addresses: the URI's host and port, or the {@code addresses} list. */
    public static Address[] addresses(BrokerSettings settings) {
        Optional<BrokerEndpoint> endpoint = settings.endpoint();
        if (endpoint.isPresent()) {
            String host = endpoint.get().host();
            // Address takes an IPv6 literal without its brackets
            return new Address[] {new Address(host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
                    endpoint.get().port())};
        }
        return Address.parseAddresses(settings.addresses());
    }

    /**
     * Whether {@code queue} exists on the broker now: a passive declare on a channel of its own
     * (the broker closes that channel, not the connection, when it does not).
     *
     * @throws IOException when the broker could not say (any answer but the queue or 404 NOT_FOUND)
     */
    public static boolean queueExists(Connection connection, String queue) throws IOException {
        Channel probe = connection.createChannel();
        try {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal && !signal.isHardError()
                    && signal.getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.NOT_FOUND) {
                return false;
            }
            throw e;
        } finally {
            // closed by the application either way: a channel the broker closed stays registered with
            // its connection otherwise, and automatic recovery would reopen it at every recovery
            try {
                probe.abort(); // quiet when the broker closed it already
            } catch (IOException | RuntimeException e) {
                // the answer is in; the probe goes with its connection
            }
        }
    }
}
