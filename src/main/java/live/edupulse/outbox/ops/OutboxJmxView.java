package live.edupulse.outbox.ops;

/**
 * The registered {@link OutboxMXBean}: names the JMX caller on the thread the call arrived on, then
 * hands the call to {@link OutboxJmx}. A failure reaches the JMX client as a plain
 * {@link IllegalStateException} with the reason as its message and no cause: a JMX client has none
 * of the server's exception classes (an EJB, JAX-RS or database exception would arrive as a
 * ClassNotFound or NotSerializable error instead of the reason).
 */
final class OutboxJmxView implements OutboxMXBean {

    private final OutboxJmx outbox;

    OutboxJmxView(OutboxJmx outbox) {
        this.outbox = outbox;
    }

    @Override
    public long getPending() {
        return call(() -> outbox.backlog().pending());
    }

    @Override
    public long getParked() {
        return call(() -> outbox.backlog().parked());
    }

    @Override
    public double getOldestPendingAgeSeconds() {
        return call(() -> outbox.backlog().oldestPendingAgeSeconds());
    }

    @Override
    public boolean isPaused() {
        return call(() -> outbox.pauseState().paused());
    }

    @Override
    public String getPausedBy() {
        return call(() -> outbox.pauseState().pausedBy());
    }

    @Override
    public String getBrokerState() {
        return call(() -> outbox.brokerState());
    }

    @Override
    public long getPublishedTotal() {
        return call(() -> outbox.publishedTotal());
    }

    @Override
    public long getFailedAttemptsTotal() {
        return call(() -> outbox.failedAttemptsTotal());
    }

    @Override
    public void pause(String reason) {
        run(() -> outbox.setPaused(true, JmxCaller.name(), reason));
    }

    @Override
    public void resume() {
        run(() -> outbox.setPaused(false, JmxCaller.name(), null));
    }

    @Override
    public int retryParked() {
        return call(() -> outbox.retryParked(JmxCaller.name()));
    }

    @Override
    public void drainNow() {
        run(() -> outbox.drainNow(JmxCaller.name()));
    }

    private static <T> T call(java.util.function.Supplier<T> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            throw plain(e);
        }
    }

    private static void run(Runnable operation) {
        call(() -> {
            operation.run();
            return null;
        });
    }

    private static IllegalStateException plain(RuntimeException failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new IllegalStateException(message);
    }
}
