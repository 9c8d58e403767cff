package live.edupulse.outbox.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A consumer for tests: its own exclusive queue bound to the outbox exchange for the routing keys
 * a test names, so it sees only that test's events (other tests use other keys or aggregates).
 * The broker of this run ({@link TestServices}).
 */
public final class BrokerProbe implements AutoCloseable {

    public static final String EXCHANGE = "edupulse.events";

    private final Connection connection;
    private final Channel channel;
    private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

    /** A message as the consumer saw it. */
    public record Delivery(AMQP.BasicProperties properties, String routingKey, String body, boolean redelivered) {

        public Object header(String name) {
            Object value = properties.getHeaders() == null ? null : properties.getHeaders().get(name);
            return value == null ? null : value instanceof com.rabbitmq.client.LongString ? value.toString() : value;
        }
    }

    public BrokerProbe(String... routingKeys) throws IOException, TimeoutException {
        ConnectionFactory factory = TestServices.brokerConnectionFactory();
        connection = factory.newConnection("edupulse-test-probe");
        channel = connection.createChannel();
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
        String queue = channel.queueDeclare().getQueue();
        for (String routingKey : routingKeys) {
            channel.queueBind(queue, EXCHANGE, routingKey);
        }
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                       byte[] body) {
                deliveries.add(new Delivery(properties, envelope.getRoutingKey(),
                        new String(body, StandardCharsets.UTF_8), envelope.isRedeliver()));
            }
        });
    }

    /** Waits for the next delivery that matches, dropping the others; fails after {@code within}. */
    public Delivery next(Predicate<Delivery> matching, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Delivery delivery = left > 0 ? deliveries.poll(left, TimeUnit.NANOSECONDS) : null;
            if (delivery == null) {
                throw new AssertionError("no matching message within " + within);
            }
            if (matching.test(delivery)) {
                return delivery;
            }
        }
    }

    /** Collects matching deliveries until {@code count} arrived; fails after {@code within}. */
    public List<Delivery> collect(Predicate<Delivery> matching, int count, Duration within) throws InterruptedException {
        List<Delivery> collected = new ArrayList<>(count);
        long deadline = System.nanoTime() + within.toNanos();
        while (collected.size() < count) {
            long left = deadline - System.nanoTime();
            Delivery delivery = left > 0 ? deliveries.poll(left, TimeUnit.NANOSECONDS) : null;
            if (delivery == null) {
                throw new AssertionError("only " + collected.size() + " of " + count + " messages within " + within);
            }
            if (matching.test(delivery)) {
                collected.add(delivery);
            }
        }
        return collected;
    }

    /** Everything received so far that matches, without waiting. */
    public List<Delivery> drainReceived(Predicate<Delivery> matching) {
        List<Delivery> all = new ArrayList<>();
        deliveries.drainTo(all);
        all.removeIf(matching.negate());
        return all;
    }

    public static Predicate<Delivery> ofAggregate(String aggregateId) {
        return delivery -> aggregateId.equals(delivery.header("aggregate_id"));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public void close() throws IOException {
        connection.close(2000);
    }
}
