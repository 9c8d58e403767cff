package live.edupulse.tools;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Prints every message published to the outbox exchange, one line each, until Ctrl-C: a
 * temporary queue bound with {@code #}. For the walkthrough (docs/walkthrough.md) and for local debugging.
 *
 * <pre>mvn -q test-compile exec:java@watch-events [-Dwatch.uri=amqp://guest:guest@127.0.0.1:5672 -Dwatch.exchange=edupulse.events]</pre>
 */
public final class WatchEvents {

    private WatchEvents() {
    }

    public static void main(String[] args) throws Exception {
        String uri = System.getProperty("watch.uri", "amqp://guest:guest@127.0.0.1:5672");
        String exchange = System.getProperty("watch.exchange", "edupulse.events");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        try (Connection connection = factory.newConnection("edupulse-watch-events")) {
            Channel channel = connection.createChannel();
            channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, exchange, "#");
            System.out.println("Watching exchange '" + exchange + "' (Ctrl-C to stop)");
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    System.out.println(envelope.getRoutingKey() + " message-id=" + properties.getMessageId()
                            + " headers=" + properties.getHeaders() + "\n  " + new String(body, StandardCharsets.UTF_8));
                }
            });
            new CountDownLatch(1).await();
        }
    }
}
