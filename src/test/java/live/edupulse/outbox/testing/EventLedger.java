package live.edupulse.outbox.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A consumer that keeps a ledger of everything delivered for one routing key: message ids with
 * their counts, and per aggregate the sequence numbers of first deliveries in arrival order. Its
 * queue is durable, so nothing published while it is disconnected is lost; acknowledgements are
 * manual, after the ledger has the message.
 *
 * <p>It reconnects by itself: when its connection closes without {@link #close()} (a broker
 * restart, a cut), a thread opens a new connection every half second, declares the queue and its
 * binding again and consumes from it, until that works. The client's own automatic recovery is not
 * used: it does not retry a topology recovery that fails while the broker is still starting, and a
 * ledger left without a consumer would report every later event lost.
 *
 * <p>A message the broker delivers again because the ledger's own acknowledgement was lost (the
 * broker stopped, the ledger's connection dropped) carries the redelivered flag. That is the
 * consumer side's at-least-once, not a second publish by the outbox, so it is counted apart
 * ({@link #redeliveries()}) and not as a duplicate. A second publish by the outbox arrives as a new
 * message without the flag and is a duplicate.
 */
public final class EventLedger implements AutoCloseable {

    private static final Duration RECONNECT_INTERVAL = Duration.ofMillis(500);

    private final ConnectionFactory factory = TestServices.brokerConnectionFactory();
    private final String routingKey;
    private final String queue;
    private final Map<String, Integer> deliveries = new HashMap<>();
    private final Map<String, List<Long>> firstSeqsByAggregate = new HashMap<>();
    private volatile Connection connection;
    private volatile boolean closed;
    private int total;
    private int redeliveries;
    private int reconnects;

    public EventLedger(String routingKey) throws IOException, TimeoutException {
        this.routingKey = routingKey;
        this.queue = "edupulse-test-ledger-" + routingKey;
        factory.setAutomaticRecoveryEnabled(false);
        connect();
    }

    private void connect() throws IOException, TimeoutException {
        Connection opened = factory.newConnection("edupulse-test-ledger");
        try {
            Channel channel = opened.createChannel();
            channel.exchangeDeclare(BrokerProbe.EXCHANGE, BuiltinExchangeType.TOPIC, true);
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, BrokerProbe.EXCHANGE, routingKey);
            channel.basicQos(2000);
            channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws IOException {
                    record(properties, envelope.isRedeliver());
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
        } catch (IOException | RuntimeException e) {
            opened.abort();
            throw e;
        }
        opened.addShutdownListener(cause -> {
            if (!closed) {
                Thread reconnecting = new Thread(this::reconnect, "edupulse-test-ledger-reconnect");
                reconnecting.setDaemon(true);
                reconnecting.start();
            }
        });
        connection = opened;
    }

    private void reconnect() {
        while (!closed) {
            try {
                Thread.sleep(RECONNECT_INTERVAL.toMillis());
                connect();
                if (closed) {
                    connection.abort(); // closed while reconnecting: close() may have missed this one
                }
                synchronized (this) {
                    reconnects++;
                }
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
                // the broker is not back yet: try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void record(AMQP.BasicProperties properties, boolean redelivered) {
        total++;
        String id = properties.getMessageId();
        if (redelivered && deliveries.containsKey(id)) {
            redeliveries++;
            return;
        }
        int seen = deliveries.merge(id, 1, Integer::sum);
        if (seen == 1) {
            String aggregate = String.valueOf(properties.getHeaders().get("aggregate_id"));
            long seq = ((Number) properties.getHeaders().get("aggregate_seq")).longValue();
            firstSeqsByAggregate.computeIfAbsent(aggregate, a -> new ArrayList<>()).add(seq);
        }
        notifyAll();
    }

    public synchronized int distinct() {
        return deliveries.size();
    }

    public synchronized int total() {
        return total;
    }

    /** Broker redeliveries of messages the ledger already had (its acknowledgement was lost). */
    public synchronized int redeliveries() {
        return redeliveries;
    }

    /** Waits until every expected id was delivered at least once, or the time is up. */
    public synchronized boolean awaitAll(Set<String> expected, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!deliveries.keySet().containsAll(expected)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(500, left / 1_000_000)));
        }
        return true;
    }

    /** Waits until at least {@code count} distinct messages arrived. */
    public synchronized boolean awaitDistinct(int count, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (deliveries.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(500, left / 1_000_000)));
        }
        return true;
    }

    public synchronized Set<String> lost(Set<String> expected) {
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(deliveries.keySet());
        return lost;
    }

    /** Ids delivered more than once. */
    public synchronized Set<String> duplicated() {
        Set<String> duplicated = new HashSet<>();
        deliveries.forEach((id, count) -> {
            if (count > 1) {
                duplicated.add(id);
            }
        });
        return duplicated;
    }

    /**
     * Aggregates whose first deliveries did not arrive as 1, 2, 3, ... in that order
     * (expected: aggregate id to its number of events).
     */
    public synchronized List<String> orderViolations(Map<String, Integer> eventsPerAggregate) {
        List<String> violations = new ArrayList<>();
        eventsPerAggregate.forEach((aggregate, count) -> {
            List<Long> seqs = firstSeqsByAggregate.getOrDefault(aggregate, List.of());
            for (int i = 0; i < seqs.size(); i++) {
                if (seqs.get(i) != i + 1) {
                    violations.add(aggregate + ": first deliveries " + abbreviate(seqs));
                    return;
                }
            }
        });
        return violations;
    }

    private static String abbreviate(List<Long> seqs) {
        return seqs.size() <= 20 ? seqs.toString() : seqs.subList(0, 20) + "... (" + seqs.size() + ")";
    }

    /** How many times the ledger reconnected after its connection closed under it. */
    public synchronized int reconnects() {
        return reconnects;
    }

    /** Stops consuming and deletes the queue (over a new connection if the ledger's is down). */
    @Override
    public void close() throws IOException, TimeoutException {
        closed = true;
        Connection current = connection;
        if (current.isOpen()) {
            try {
                current.createChannel().queueDelete(queue);
                return;
            } catch (IOException | RuntimeException e) {
                // closed under us meanwhile: delete the queue over a new connection
            } finally {
                current.abort(5000);
            }
        }
        try (Connection fresh = factory.newConnection("edupulse-test-ledger-cleanup")) {
            fresh.createChannel().queueDelete(queue);
        }
    }
}
