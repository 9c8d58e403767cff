package live.edupulse.outbox.testing;

import java.net.URI;
import java.util.Optional;

/**
 * Where the tests' PostgreSQL and RabbitMQ are. In the test JVM, {@code ServicesLauncher} sets
 * these system properties before any test runs (the machine's own services, or containers it
 * started); {@code arquillian.xml} hands them on to the servers under test, so in-container tests
 * read the same values. Without them (a test started some other way), the local services.
 *
 * <ul>
 *   <li>{@code test.db.url}, {@code test.db.user}, {@code test.db.password}: the database;</li>
 *   <li>{@code test.broker.host}, {@code test.broker.port}, {@code test.broker.user},
 *       {@code test.broker.password}: the broker;</li>
 *   <li>{@code test.broker.container}: the broker's container id in container mode (its
 *       {@code rabbitmqctl} runs there), empty in local mode.</li>
 * </ul>
 */
public final class TestServices {

    static final String LOCAL_DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private TestServices() {
    }

    public static String dbUrl() {
        return value("test.db.url", env("EDUPULSE_DB_URL", LOCAL_DB_URL));
    }

    public static String dbUser() {
        return value("test.db.user", env("EDUPULSE_DB_USER", "postgres"));
    }

    public static String dbPassword() {
        return value("test.db.password", env("EDUPULSE_DB_PASSWORD", "postgres"));
    }

    /** The database's host, for a TCP proxy in front of it. */
    public static String dbHost() {
        return jdbcTarget().getHost();
    }

    /** The database's port, for a TCP proxy in front of it. */
    public static int dbPort() {
        int port = jdbcTarget().getPort();
        return port == -1 ? 5432 : port;
    }

    /** The database name (the path of the JDBC URL). */
    public static String dbName() {
        return jdbcTarget().getPath().substring(1);
    }

    public static String brokerHost() {
        return value("test.broker.host", "127.0.0.1");
    }

    public static int brokerPort() {
        return Integer.parseInt(value("test.broker.port", "5672"));
    }

    public static String brokerUser() {
        return value("test.broker.user", "guest");
    }

    public static String brokerPassword() {
        return value("test.broker.password", "guest");
    }

    /** A connection factory for the broker of this run (host, port and credentials). */
    public static com.rabbitmq.client.ConnectionFactory brokerConnectionFactory() {
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setHost(brokerHost());
        factory.setPort(brokerPort());
        factory.setUsername(brokerUser());
        factory.setPassword(brokerPassword());
        return factory;
    }

    /** {@code host:port}, as {@code outbox.broker.addresses} takes it. */
    public static String brokerAddress() {
        return brokerHost() + ":" + brokerPort();
    }

    /** The broker's container in container mode; empty when the tests use the machine's broker. */
    public static Optional<String> brokerContainer() {
        return Optional.of(value("test.broker.container", "")).filter(id -> !id.isBlank());
    }

    private static URI jdbcTarget() {
        String url = dbUrl();
        int query = url.indexOf('?');
        return URI.create((query < 0 ? url : url.substring(0, query)).substring("jdbc:".length()));
    }

    private static String value(String property, String fallback) {
        String value = System.getProperty(property);
        // an unresolved ${...} is what arquillian.xml hands on when the launcher did not run
        return value == null || value.isBlank() || value.startsWith("${") ? fallback : value;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
