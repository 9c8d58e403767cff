package live.edupulse.outbox.tracing;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Structured fields on the outbox's log lines, for the servers' JSON log formats: the event id,
 * its aggregate and the batch size, so that a search by event id finds every line about it.
 * <ul>
 * <li>WildFly: the logging MDC ({@code org.jboss.logging.MDC}); its {@code json-formatter} prints
 * them under {@code mdc} ({@code outbox.json.log}, configured by server-config).</li>
 * <li>Open Liberty: {@code LogRecordContext} extensions, printed as {@code ext_<name>} fields
 * when {@code com.ibm.ws.logging.message.format=json}.</li>
 * <li>Anywhere else: nothing.</li>
 * </ul>
 * A scope sets its fields on the current thread and removes them when closed.
 */
public final class LogFields {

    public static final String EVENT_ID = "outbox_event_id";
    public static final String AGGREGATE = "outbox_aggregate";
    public static final String BATCH_SIZE = "outbox_batch_size";

    private static final Logger LOG = Logger.getLogger(LogFields.class.getName());
    private static final Backend BACKEND = Backend.find();

    private LogFields() {
    }

    /** The fields of one batch (its size) until closed. */
    public static Scope batch(int size) {
        return open(List.of(BATCH_SIZE), List.of(Integer.toString(size)));
    }

    /** The fields of one event until closed. */
    public static Scope event(String eventId, String aggregateType, String aggregateId) {
        return open(List.of(EVENT_ID, AGGREGATE), List.of(eventId, aggregateType + "/" + aggregateId));
    }

    private static Scope open(List<String> names, List<String> values) {
        if (BACKEND == null) {
            return () -> { };
        }
        for (int i = 0; i < names.size(); i++) {
            BACKEND.put(names.get(i), values.get(i));
        }
        return () -> names.forEach(BACKEND::remove);
    }

    /** Removes the fields it set. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** A server's thread-local log context, reached by reflection: neither API is on every server. */
    private record Backend(Method put, Method remove) {

        static Backend find() {
            // Liberty first: its global library may carry a jboss-logging jar (Hibernate's), whose MDC
            // Liberty's log handlers never read
            Backend backend = of("com.ibm.websphere.logging.hpel.LogRecordContext", "addExtension", "removeExtension");
            return backend != null ? backend : of("org.jboss.logging.MDC", "put", "remove");
        }

        private static Backend of(String className, String put, String remove) {
            try {
                Class<?> type = Class.forName(className, true, LogFields.class.getClassLoader());
                return new Backend(staticMethod(type, put, 2), staticMethod(type, remove, 1));
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.log(Level.FINEST, className + " is not available for log fields", e);
                return null;
            }
        }

        /** The public static method {@code name(String, ...)} with that many parameters. */
        private static Method staticMethod(Class<?> type, String name, int parameters) throws NoSuchMethodException {
            for (Method method : type.getMethods()) {
                if (method.getName().equals(name) && Modifier.isStatic(method.getModifiers())
                        && method.getParameterCount() == parameters && method.getParameterTypes()[0] == String.class) {
                    return method;
                }
            }
            throw new NoSuchMethodException(type.getName() + "." + name);
        }

        void put(String name, String value) {
            try {
                put.invoke(null, name, value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINEST, "could not set log field " + name, e);
            }
        }

        void remove(String name) {
            try {
                remove.invoke(null, name);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINEST, "could not remove log field " + name, e);
            }
        }
    }
}
