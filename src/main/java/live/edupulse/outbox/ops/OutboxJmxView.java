package live.edupulse.outbox.ops;

/**
 * The registered {@link OutboxMXBean}: names the JMX caller on the thread the call arrived on, then
 * hands the call to {@link OutboxJmx}.
 */
final class OutboxJmxView implements OutboxMXBean {

    private final OutboxJmx outbox;

    OutboxJmxView(OutboxJmx outbox) {
        this.outbox = outbox;
    }

    @Override
    public long getPending() {
        return outbox.backlog().pending();
    }

    @Override
    public long getParked() {
        return outbox.backlog().parked();
    }

    @Override
    public double getOldestPendingAgeSeconds() {
        return outbox.backlog().oldestPendingAgeSeconds();
    }

    @Override
    public boolean isPaused() {
        return outbox.pauseState().paused();
    }

    @Override
    public String getPausedBy() {
        return outbox.pauseState().pausedBy();
    }

    @Override
    public String getBrokerState() {
        return outbox.brokerState();
    }

    @Override
    public long getPublishedTotal() {
        return outbox.publishedTotal();
    }

    @Override
    public long getFailedAttemptsTotal() {
        return outbox.failedAttemptsTotal();
    }

    @Override
    public void pause(String reason) {
        outbox.setPaused(true, JmxCaller.name(), reason);
    }

    @Override
    public void resume() {
        outbox.setPaused(false, JmxCaller.name(), null);
    }

    @Override
    public int retryParked() {
        return outbox.retryParked(JmxCaller.name());
    }

    @Override
    public void drainNow() {
        outbox.drainNow(JmxCaller.name());
    }
}
