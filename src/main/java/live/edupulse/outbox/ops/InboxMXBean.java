package live.edupulse.outbox.ops;

/**
 * One inbox consumer as operators' JMX tools see it, registered as
 * {@code live.edupulse:type=Inbox,name=<consumer>} while the application is deployed. Counts are
 * read from the inbox table on every read; operations go through the same service as the admin API
 * and are logged with the JMX caller's name.
 */
public interface InboxMXBean {

    String OBJECT_NAME_PREFIX = "live.edupulse:type=Inbox,name=";

    /** The consumer's queue. */
    String getQueue();

    /** This instance holds an open broker connection for the inbox. */
    boolean isConnected();

    /** Events stored ahead of their aggregate, waiting for a predecessor. */
    long getHeld();

    /** Events whose handler failed, waiting for their next attempt. */
    long getRetrying();

    /** Events parked after the maximum attempts, holding back their aggregate. */
    long getParked();

    /** A parked event (by id) tried again now; false when it is not parked. */
    boolean retry(String messageId);

    /** A parked or retrying event (by id) given up, its aggregate released; false when it is neither. */
    boolean discard(String messageId);
}
