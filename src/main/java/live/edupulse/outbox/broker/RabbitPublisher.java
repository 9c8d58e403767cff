package live.edupulse.outbox.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.outbox.config.BrokerSettings;

/**
 * Publishes batches to RabbitMQ with publisher confirms, {@code mandatory}, persistent, over one
 * connection with automatic recovery.
 *
 * <p>Failure model: {@link PublishingLane#publish} never throws. Each message gets an outcome; a
 * message's own failure is attributed to it, anything the broker did not decide about is
 * {@link PublishOutcome.Unconfirmed} (see {@link PublishingLane}).
 *
 * <p>While the broker blocks publishers, {@link PublishingLane#publish} publishes nothing. A publish call that is
 * already stuck in a socket write when the block arrives is freed by {@link #abort()}, which the
 * dispatcher's watchdog calls when a drain overruns its deadline.
 *
 * <p>Thread-safety: each {@link PublishingLane} is used by one thread at a time (a drain of the dispatcher);
 * several lanes publish at once over the one connection. {@link #state()}, {@link #abort()} and
 * {@link #close()} may be called from any thread.
 */
public final class RabbitPublisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RabbitPublisher.class.getName());

    private final BrokerSettings settings;
    private final String connectionName;
    private final StateLog stateLog = new StateLog();

    private volatile Connection connection;
    private volatile String blockedReason;

    public RabbitPublisher(BrokerSettings settings, String instanceName) {
        this.settings = settings;
        this.connectionName = "edupulse-outbox " + instanceName;
    }

    public BrokerState state() {
        Connection current = connection;
        if (current == null || !current.isOpen()) {
            return BrokerState.DISCONNECTED;
        }
        return blockedReason != null ? BrokerState.BLOCKED : BrokerState.CONNECTED;
    }

    /**
     * Connects if there is no connection yet (or the last one was aborted). A connection that
     * automatic recovery is bringing back is left to it.
     *
     * @throws BrokerUnavailableException if the broker cannot be reached, refuses the credentials,
     *                                    or the exchange cannot be declared
     */
    public synchronized void connect() throws BrokerUnavailableException {
        if (connection != null) {
            return;
        }
        Connection fresh;
        try {
            ConnectionFactory factory = connectionFactory();
            fresh = factory.newConnection(addresses(), connectionName);
        } catch (IOException | TimeoutException | GeneralSecurityException | RuntimeException e) {
            stateLog.disconnected("cannot connect to " + describeTarget() + ": " + describe(e));
            throw new BrokerUnavailableException("cannot connect to " + describeTarget(), e);
        }
        try {
            RabbitConnections.declareExchange(fresh, settings);
        } catch (IOException | TimeoutException | RuntimeException e) {
            fresh.abort(1000);
            stateLog.disconnected("cannot declare exchange '" + settings.exchange() + "': " + describe(e));
            throw new BrokerUnavailableException("cannot declare exchange " + settings.exchange(), e);
        }
        fresh.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                blockedReason = reason;
                stateLog.blocked(reason);
            }

            @Override
            public void handleUnblocked() {
                blockedReason = null;
                stateLog.connected(describeTarget() + " (unblocked)");
            }
        });
        fresh.addShutdownListener(cause -> {
            blockedReason = null;
            if (!cause.isInitiatedByApplication()) {
                stateLog.disconnected("connection lost: " + settings.scrub(cause.getMessage()));
            }
        });
        RabbitConnections.declareExchangeOnRecovery(fresh, settings);
        if (fresh instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recovered) {
                    stateLog.connected(describeTarget() + " (recovered)");
                }

                @Override
                public void handleRecoveryStarted(Recoverable recovering) {
                    // the shutdown listener has already said the connection is lost
                }
            });
        }
        connection = fresh;
        stateLog.connected(describeTarget());
    }

    /**
     * A new publishing lane: its own channel in confirm mode on this publisher's connection, with
     * its own confirm tracking. Lanes publish concurrently; one lane is used by one thread at a time.
     */
    public PublishingLane lane() {
        return new PublishingLane(this::openChannel, settings.exchange(), settings.confirmTimeout(), () -> blockedReason);
    }

    private Channel openChannel() throws IOException {
        Connection current = connection;
        if (current == null || !current.isOpen()) {
            throw new IOException("not connected to " + describeTarget());
        }
        Channel channel = current.createChannel();
        if (channel == null) {
            throw new IOException("the connection has no channel left");
        }
        return channel;
    }

    /**
     * Closes the connection at once, without waiting for the broker: frees a thread stuck in a
     * socket write to a blocked broker. The next {@link #connect()} opens a new connection.
     */
    public void abort() {
        Connection current;
        synchronized (this) {
            current = connection;
            connection = null;
        }
        if (current != null) {
            stateLog.disconnected("connection aborted by the dispatcher's watchdog");
            current.abort(1000);
        }
    }

    /** Closes channel and connection; waits at most a few seconds for the broker. */
    @Override
    public void close() {
        Connection current;
        synchronized (this) {
            current = connection;
            connection = null;
        }
        if (current != null) {
            try {
                current.close(3000);
            } catch (IOException | RuntimeException e) {
                current.abort(1000);
            }
        }
    }

    private ConnectionFactory connectionFactory() throws GeneralSecurityException {
        return RabbitConnections.factory(settings, connectionName);
    }

    private Address[] addresses() {
        return RabbitConnections.addresses(settings);
    }

    /** Host, port and virtual host only (see {@link BrokerSettings#display()}). */
    private String describeTarget() {
        return settings.display();
    }

    /** An exception for a log line: its type and its message, with anything secret scrubbed. */
    private String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + settings.scrub(e.getMessage()));
    }

    /** The host name this instance tells the broker, for the connection name. */
    public static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }

    /** Logs a line per change of state, never per message. */
    private static final class StateLog {
        private BrokerState last;

        synchronized void connected(String detail) {
            change(BrokerState.CONNECTED, Level.INFO, "Broker connected: " + detail);
        }

        synchronized void disconnected(String detail) {
            change(BrokerState.DISCONNECTED, Level.WARNING, "Broker unavailable: " + detail);
        }

        synchronized void blocked(String reason) {
            change(BrokerState.BLOCKED, Level.WARNING, "Broker blocks publishers: " + reason);
        }

        private void change(BrokerState next, Level level, String message) {
            if (next != last) {
                last = next;
                LOG.log(level, message);
            }
        }
    }
}
