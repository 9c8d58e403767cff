package live.edupulse.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import live.edupulse.outbox.testing.Rabbitmqctl;

/**
 * The benchmark's hold on a consumer's queue (quorum, single active consumer) while it publishes a
 * backlog for the server's inbox to drain, with nothing between the server and the broker.
 *
 * <p>Taking the hold registers a consumer of the benchmark's own (prefetch 1, never acknowledging)
 * and has the broker close the server's inbox connection: the benchmark's consumer becomes the
 * queue's active one, and the server's consumer, once its connection has recovered, waits behind
 * it. The backlog published meanwhile stays in the queue, but for the one message the holder takes.
 * Closing the hold cancels the holder: that message goes back, and the server's consumer becomes
 * the active one and receives the backlog.
 */
final class QueueHold implements AutoCloseable {

    private static final long WAIT_MILLIS = TimeUnit.MINUTES.toMillis(2);

    private final String queue;
    private final Connection connection;
    private final Channel channel;
    private final CountDownLatch holding = new CountDownLatch(1);

    private QueueHold(String queue, Connection connection) throws Exception {
        this.queue = queue;
        this.connection = connection;
        this.channel = connection.createChannel();
        channel.basicQos(1);
        channel.basicConsume(queue, false, "bench-queue-hold", new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                holding.countDown(); // kept unacknowledged: it goes back when the hold is released
            }
        });
    }

    /**
     * Takes {@code queue} from the server whose inbox connection's name starts with
     * {@code serverConnection}; returns once the server's consumer is back, waiting.
     */
    static QueueHold take(String queue, String serverConnection) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        QueueHold hold = new QueueHold(queue, factory.newConnection("bench-queue-hold"));
        try {
            closeConnection(serverConnection);
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            // the queue's consumer count is its active consumer's only, so the broker's list of consumers is read
            while (consumers(queue) < 2) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the server's consumer of " + queue + " did not come back");
                }
                Thread.sleep(200); // the client's connection recovery; no event to wait on
            }
            return hold;
        } catch (Exception e) {
            hold.close();
            throw e;
        }
    }

    /**
     * Checks, after the backlog is published, that the hold took one message and the others are
     * in the queue, not with the server's consumer.
     */
    void verifyHeld(int published) throws Exception {
        if (!holding.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the benchmark's consumer of " + queue + " is not the active one");
        }
        int ready = channel.queueDeclarePassive(queue).getMessageCount();
        if (ready != published - 1) {
            throw new IllegalStateException(queue + " holds " + ready + " ready messages of " + published
                    + " published: the server's consumer took some during the hold");
        }
    }

    /** Releases the queue to the server's consumer. */
    @Override
    public void close() throws Exception {
        connection.close();
    }

    /** The queue's consumers, active and waiting. */
    private static long consumers(String queue) throws Exception {
        return Rabbitmqctl.run("list_consumers", "queue_name", "--quiet", "--no-table-headers").lines()
                .filter(queue::equals).count();
    }

    private static void closeConnection(String namePrefix) throws Exception {
        // one line per connection: its pid, a tab, its client properties as Erlang terms
        String connections = Rabbitmqctl.run("list_connections", "pid", "client_properties", "--quiet",
                "--no-table-headers");
        for (String line : connections.split("\n")) {
            if (line.contains("{\"connection_name\",\"" + namePrefix)) {
                Rabbitmqctl.run("close_connection", line.substring(0, line.indexOf('\t')), "benchmark: queue hold");
                return;
            }
        }
        throw new IllegalStateException("no broker connection named " + namePrefix + "...: " + connections);
    }
}
