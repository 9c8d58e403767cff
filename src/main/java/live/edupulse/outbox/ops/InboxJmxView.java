package live.edupulse.outbox.ops;

import java.util.UUID;
import java.util.function.Supplier;

/**
 * The registered {@link InboxMXBean} of one consumer: names the JMX caller, hands the call to
 * {@link InboxJmx}, and turns any failure into a plain {@link IllegalStateException} with the
 * reason (a JMX client has none of the server's exception classes).
 */
final class InboxJmxView implements InboxMXBean {

    private final InboxJmx inbox;
    private final String consumer;

    InboxJmxView(InboxJmx inbox, String consumer) {
        this.inbox = inbox;
        this.consumer = consumer;
    }

    @Override
    public String getQueue() {
        return call(() -> inbox.queue(consumer));
    }

    @Override
    public boolean isConnected() {
        return call(inbox::connected);
    }

    @Override
    public long getHeld() {
        return call(() -> inbox.counts(consumer).get("held"));
    }

    @Override
    public long getRetrying() {
        return call(() -> inbox.counts(consumer).get("retry"));
    }

    @Override
    public long getParked() {
        return call(() -> inbox.counts(consumer).get("parked"));
    }

    @Override
    public boolean retry(String messageId) {
        return call(() -> inbox.retry(consumer, uuid(messageId), JmxCaller.name()));
    }

    @Override
    public boolean discard(String messageId) {
        return call(() -> inbox.discard(consumer, uuid(messageId), JmxCaller.name()));
    }

    private static UUID uuid(String messageId) {
        try {
            return UUID.fromString(messageId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not a message id (UUID): " + messageId);
        }
    }

    private static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        }
    }
}
