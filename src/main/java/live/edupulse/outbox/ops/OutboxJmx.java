package live.edupulse.outbox.ops;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import live.edupulse.outbox.dispatch.OutboxDispatcher;

/**
 * Registers the {@link OutboxMXBean} on the platform MBean server when the application starts and
 * unregisters it when the application stops, so any number of redeployments leave exactly one. When
 * another deployment in the same server already holds the name, this one registers nothing.
 *
 * <p>JMX calls arrive on the server's own threads; the MXBean calls this bean's business methods,
 * so every read and operation runs as a call of this application's component (its naming context,
 * its class loader), the way the REST resource's calls do.
 */
@Singleton
@Startup
@DependsOn("OutboxDispatcher")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class OutboxJmx {

    private static final Logger LOG = Logger.getLogger(OutboxJmx.class.getName());

    @Inject
    OutboxAdministration administration;

    @Inject
    BacklogMonitor backlog;

    @Inject
    OutboxMetrics metrics;

    @Inject
    OutboxDispatcher dispatcher;

    @Resource
    SessionContext context;

    private ObjectName name;
    /** This deployment registered the MBean (and so may unregister it). */
    private boolean registered;

    @PostConstruct
    void register() {
        try {
            name = new ObjectName(OutboxMXBean.OBJECT_NAME);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                // another deployment of the outbox in this server holds the name: it keeps it
                LOG.warning(() -> "The MBean " + name + " is registered by another deployment in this server;"
                        + " this deployment has none");
                return;
            }
            OutboxMXBean view = new OutboxJmxView(context.getBusinessObject(OutboxJmx.class));
            server.registerMBean(new StandardMBean(view, OutboxMXBean.class, true), name);
            registered = true;
        } catch (JMException e) {
            // the outbox works without its MBean: say so and carry on
            LOG.log(Level.WARNING, "Could not register the MBean " + OutboxMXBean.OBJECT_NAME, e);
        }
    }

    @PreDestroy
    void unregister() {
        if (!registered) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.log(Level.FINE, "MBean " + name + " was not registered", e);
        }
    }

    public Backlog backlog() {
        return backlog.backlog();
    }

    public OutboxAdministration.PauseState pauseState() {
        return administration.pauseState();
    }

    public String brokerState() {
        return dispatcher.brokerState().name();
    }

    public long publishedTotal() {
        return metrics.publishedTotal();
    }

    public long failedAttemptsTotal() {
        return metrics.failedAttemptsTotal();
    }

    public void setPaused(boolean paused, String operator, String reason) {
        administration.setPaused(paused, operator, reason);
    }

    public int retryParked(String operator) {
        return administration.retryAll(null, null, null, operator);
    }

    public void drainNow(String operator) {
        administration.drainNow(operator);
    }
}
