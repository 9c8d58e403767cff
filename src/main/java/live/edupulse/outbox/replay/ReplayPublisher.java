package live.edupulse.outbox.replay;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import live.edupulse.outbox.broker.OutboundMessage;
import live.edupulse.outbox.broker.RabbitConnections;
import live.edupulse.outbox.config.BrokerSettings;

/**
 * Publishes a replay job's pages to one queue: the default exchange with the queue's name as
 * routing key (no other queue sees them), {@code mandatory}, publisher confirms; each message with
 * its original id, properties and body plus the header {@value #REPLAY_HEADER} (the job's id).
 * One connection per job run; one thread uses it.
 */
final class ReplayPublisher implements AutoCloseable {

    /** The header that marks a replayed message; its value is the replay job's id. */
    static final String REPLAY_HEADER = "x-edupulse-replay";

    private final BrokerSettings settings;
    private final String queue;
    private final Map<String, Object> replayHeader;
    private final Connection connection;
    private final Channel channel;
    private final AtomicReference<String> returned = new AtomicReference<>();

    ReplayPublisher(BrokerSettings settings, String queue, String jobId) throws IOException, TimeoutException,
            GeneralSecurityException {
        this.settings = settings;
        this.queue = queue;
        this.replayHeader = Map.of(REPLAY_HEADER, jobId);
        connection = RabbitConnections.factory(settings, "edupulse-replay " + jobId)
                .newConnection(RabbitConnections.addresses(settings));
        try {
            channel = connection.createChannel();
            channel.confirmSelect();
            channel.addReturnListener(message -> returned.compareAndSet(null, message.getReplyText()));
        } catch (IOException | RuntimeException e) {
            connection.abort(1000);
            throw e;
        }
    }

    /** Whether the queue exists now. */
    boolean queueExists() throws IOException {
        return RabbitConnections.queueExists(connection, queue);
    }

    /**
     * Publishes the messages and waits for their confirms.
     *
     * @throws QueueGoneException when the broker returned a message (the queue no longer exists)
     * @throws IOException        when the broker is unreachable or does not confirm in time
     */
    void publish(List<OutboundMessage> messages) throws IOException, InterruptedException, QueueGoneException {
        for (OutboundMessage message : messages) {
            OutboundMessage replayed = message.withHeaders(replayHeader);
            channel.basicPublish("", queue, true, replayed.properties(), replayed.body());
        }
        try {
            channel.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
        } catch (TimeoutException e) {
            throw new IOException("the broker did not confirm a replay page within " + settings.confirmTimeout(), e);
        }
        String reason = returned.get();
        if (reason != null) {
            throw new QueueGoneException("the broker returned a replayed message (" + reason + "): queue " + queue
                    + " does not exist");
        }
    }

    @Override
    public void close() {
        try {
            connection.close(3000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1000);
        }
    }

    /** The queue a job replays to is gone: the job fails. */
    static final class QueueGoneException extends Exception {
        private static final long serialVersionUID = 1L;

        QueueGoneException(String message) {
            super(message);
        }
    }
}
