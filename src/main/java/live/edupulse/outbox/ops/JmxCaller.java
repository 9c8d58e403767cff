package live.edupulse.outbox.ops;

import java.security.AccessController;
import java.security.Principal;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.auth.Subject;

/**
 * The name of whoever makes the current JMX call, for the log: the principal of the calling
 * {@link Subject} (the JDK's RMI connector), else the management user WildFly's JMX connector
 * records for the call, else Open Liberty's caller ({@code WSSubject}); {@code jmx} when none is
 * known. The server classes are looked up by reflection, so the WAR runs on either server.
 */
final class JmxCaller {

    static final String UNKNOWN = "jmx";
    private static final Logger LOG = Logger.getLogger(JmxCaller.class.getName());

    private JmxCaller() {
    }

    static String name() {
        String name = subject();
        if (name == null) {
            name = wildFlyManagement();
        }
        if (name == null) {
            name = liberty();
        }
        return name == null ? UNKNOWN : name;
    }

    @SuppressWarnings("removal")
    private static String subject() {
        try {
            Subject subject;
            try {
                subject = (Subject) Subject.class.getMethod("current").invoke(null); // Java 18+
            } catch (NoSuchMethodException e) {
                subject = Subject.getSubject(AccessController.getContext());
            }
            if (subject != null) {
                for (Principal principal : subject.getPrincipals()) {
                    if (known(principal.getName())) {
                        return principal.getName();
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "no calling Subject", e);
        }
        return null;
    }

    /**
     * WildFly's JMX connector runs each remote call inside an {@code AccessAuditContext} holding the
     * management user's Elytron identity (the same context its management audit log reads).
     */
    private static String wildFlyManagement() {
        try {
            Class<?> contextType = Class.forName("org.jboss.as.controller.AccessAuditContext", false,
                    JmxCaller.class.getClassLoader());
            Object context = contextType.getMethod("currentAccessAuditContext").invoke(null);
            if (context == null) {
                return null;
            }
            Object identity = contextType.getMethod("getSecurityIdentity").invoke(context);
            Object principal = identity == null ? null : identity.getClass().getMethod("getPrincipal").invoke(identity);
            String name = principal == null ? null : ((Principal) principal).getName();
            return known(name) ? name : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no WildFly management identity", e);
            return null;
        }
    }

    private static String liberty() {
        try {
            Class<?> subjects = Class.forName("com.ibm.websphere.security.auth.WSSubject", false,
                    JmxCaller.class.getClassLoader());
            Object name = subjects.getMethod("getCallerPrincipal").invoke(null);
            return name instanceof String text && known(text) ? text : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no Liberty caller", e);
            return null;
        }
    }

    private static boolean known(String name) {
        return name != null && !name.isBlank() && !"anonymous".equalsIgnoreCase(name) && !"UNAUTHENTICATED".equals(name);
    }
}
