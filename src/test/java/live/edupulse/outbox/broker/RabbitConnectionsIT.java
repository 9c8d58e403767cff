package live.edupulse.outbox.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.config.BrokerSettings;
import live.edupulse.outbox.config.UnroutablePolicy;
import live.edupulse.outbox.testing.TcpProxy;
import live.edupulse.outbox.testing.TestServices;
import org.junit.jupiter.api.Test;

/** The connections {@link RabbitConnections} makes, against the real local RabbitMQ, outside any server. */
class RabbitConnectionsIT {

    private static final int PROXY_PORT = 29741;

    /**
     * The publisher and the inbox declare the exchange on a channel they close at once. The client
     * records that declaration with its channel and, recovering the connection, would declare the
     * exchange again through that closed channel, and report the failure (a SEVERE line in the
     * server's log after every broker outage).
     */
    @Test
    void aRecoveredConnectionDoesNotRedeclareTheExchangeThroughTheClosedChannelThatDeclaredIt() throws Exception {
        String exchange = "test.recovery." + UUID.randomUUID();
        BrokerSettings settings = new BrokerSettings(Optional.empty(), "127.0.0.1:" + PROXY_PORT, "/",
                TestServices.brokerUser(), TestServices.brokerPassword(), exchange, true, UnroutablePolicy.ACCEPT,
                Duration.ofSeconds(5), Duration.ofSeconds(5), "edupulse");
        List<TopologyRecoveryException> failures = new CopyOnWriteArrayList<>();
        ConnectionFactory factory = RabbitConnections.factory(settings, "recovery-test");
        factory.setExceptionHandler(new DefaultExceptionHandler() {
            @Override
            public void handleTopologyRecoveryException(Connection connection, Channel channel, TopologyRecoveryException e) {
                failures.add(e);
                super.handleTopologyRecoveryException(connection, channel, e);
            }
        });
        try (TcpProxy broker = new TcpProxy(PROXY_PORT, TestServices.brokerHost(), TestServices.brokerPort()).open();
             Connection connection = factory.newConnection(RabbitConnections.addresses(settings), "recovery-test")) {
            try (Channel declaring = connection.createChannel()) {
                declaring.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true); // as RabbitPublisher and Inbox do
            }
            Channel publishing = connection.createChannel();
            publishing.confirmSelect();
            CountDownLatch recovered = new CountDownLatch(1);
            ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    recovered.countDown();
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    // waiting for the end
                }
            });

            broker.close(); // every connection through the proxy cut
            broker.open();

            assertTrue(recovered.await(30, TimeUnit.SECONDS), "the connection recovered");
            assertEquals(List.of(), failures.stream().map(Throwable::getMessage).toList(),
                    "topology recovery failures reported by the client");
            publishing.basicPublish(exchange, "any", null, new byte[0]);
            assertTrue(publishing.waitForConfirms(5_000), "the recovered channel publishes to the exchange");
        } finally {
            try (Connection cleanup = TestServices.brokerConnectionFactory().newConnection(); Channel channel = cleanup.createChannel()) {
                channel.exchangeDelete(exchange);
            }
        }
    }
}
