package live.edupulse.outbox.ops;

/**
 * The outbox as operators' JMX tools see it (JConsole, VisualVM, WildFly's management interface,
 * Open Liberty's REST connector), registered on the platform MBean server as {@value #OBJECT_NAME}
 * while the application is deployed.
 *
 * <p>Backlog attributes are the counts the backlog timer keeps (refreshed every 5 s); {@code Paused}
 * and {@code PausedBy} are read from the control row on every read; the totals count this instance
 * since its deployment. Operations go through {@link OutboxAdministration}, the same service as the
 * admin API, and are logged with the JMX caller's name ({@code jmx} when the server does not tell it).
 */
public interface OutboxMXBean {

    String OBJECT_NAME = "live.edupulse:type=Outbox";

    /** Undispatched, unparked events (every instance's). */
    long getPending();

    /** Parked events waiting for an operator. */
    long getParked();

    /** Age of the oldest pending event by the database clock, 0 when none is pending. */
    double getOldestPendingAgeSeconds();

    /** Whether dispatch is paused for every instance. */
    boolean isPaused();

    /** Who paused dispatch, or null while it runs. */
    String getPausedBy();

    /** This instance's broker connection: CONNECTED, BLOCKED or DISCONNECTED. */
    String getBrokerState();

    /** Events this instance published since deployment (routed or unroutable). */
    long getPublishedTotal();

    /** Failed delivery attempts (nack, or a return under policy retry) on this instance since deployment. */
    long getFailedAttemptsTotal();

    /** Pauses dispatch on every instance; the reason goes to the log line. */
    void pause(String reason);

    /** Resumes dispatch on every instance and starts a drain. */
    void resume();

    /**
     * Gives every parked event a fresh set of attempts.
     *
     * @return how many were released
     */
    int retryParked();

    /** Starts a drain on this instance now (a paused outbox stays paused). */
    void drainNow();
}
