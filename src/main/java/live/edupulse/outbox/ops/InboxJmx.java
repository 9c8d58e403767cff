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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import live.edupulse.inbox.Inbox;
import live.edupulse.inbox.InboxAdministration;
import live.edupulse.outbox.config.OutboxConfiguration;

/**
 * Registers one {@link InboxMXBean} per inbox consumer when the application starts and unregisters
 * them when it stops (only those it registered). Calls run as business methods of this bean, in the
 * application's context, as {@link OutboxJmx}'s do.
 */
@Singleton
@Startup
@DependsOn("Inbox")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class InboxJmx {

    private static final Logger LOG = Logger.getLogger(InboxJmx.class.getName());

    @Inject
    Inbox inbox;

    @Inject
    InboxAdministration administration;

    @Inject
    OutboxConfiguration configuration;

    @Resource
    SessionContext context;

    private final List<ObjectName> registered = new ArrayList<>();

    @PostConstruct
    void register() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (String consumer : inbox.consumerNames()) {
            try {
                ObjectName name = new ObjectName(InboxMXBean.OBJECT_NAME_PREFIX + consumer);
                if (server.isRegistered(name)) {
                    LOG.warning(() -> "The MBean " + name + " is registered by another deployment in this server;"
                            + " this deployment has none");
                    continue;
                }
                InboxMXBean view = new InboxJmxView(context.getBusinessObject(InboxJmx.class), consumer);
                server.registerMBean(new StandardMBean(view, InboxMXBean.class, true), name);
                registered.add(name);
            } catch (JMException e) {
                LOG.log(Level.WARNING, "Could not register the inbox MBean of " + consumer, e);
            }
        }
    }

    @PreDestroy
    void unregister() {
        for (ObjectName name : registered) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                LOG.log(Level.FINE, "MBean " + name + " was not registered", e);
            }
        }
        registered.clear();
    }

    public String queue(String consumer) {
        return configuration.inbox().queuePrefix() + consumer;
    }

    public boolean connected() {
        return inbox.isConnected();
    }

    public Map<String, Long> counts(String consumer) {
        return administration.counts(consumer);
    }

    public boolean retry(String consumer, UUID messageId, String operator) {
        return administration.retry(inbox.consumer(consumer).orElseThrow(), messageId, operator);
    }

    public boolean discard(String consumer, UUID messageId, String operator) {
        return administration.discard(inbox.consumer(consumer).orElseThrow(), messageId, operator);
    }
}
