package live.edupulse.outbox.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inside each server: a {@link LogFields} scope puts its fields into the log context that server's
 * log formatters read (WildFly: the JBoss logging MDC; Open Liberty: {@code LogRecordContext}
 * extensions), and takes them out again when closed.
 */
@ExtendWith(ArquillianExtension.class)
class LogFieldsIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.outbox().addClass(LogFieldsIT.class);
    }

    @Test
    void aScopeSetsItsFieldsInTheServersLogContextAndRemovesThem() throws Exception {
        try (LogFields.Scope scope = LogFields.event("e-1", "pulse", "p-1")) {
            assertEquals("e-1", field(LogFields.EVENT_ID));
            assertEquals("pulse/p-1", field(LogFields.AGGREGATE));
        }
        assertNull(field(LogFields.EVENT_ID));
    }

    /** The field as the server's log context holds it on this thread. */
    private static Object field(String name) throws Exception {
        if (ServerUnderTest.current() == ServerUnderTest.WILDFLY) {
            return Class.forName("org.jboss.logging.MDC").getMethod("get", String.class).invoke(null, name);
        }
        Map<String, String> extensions = new HashMap<>();
        Class.forName("com.ibm.websphere.logging.hpel.LogRecordContext").getMethod("getExtensions", Map.class)
                .invoke(null, extensions);
        return extensions.get(name);
    }
}
