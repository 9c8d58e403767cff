package live.edupulse.outbox.testing.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Map;
import live.edupulse.outbox.testing.TestServices;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Chooses the services of an integration-test run, once per test JVM, before any test class (and
 * so before Arquillian starts the server under test): {@code -Dtest.services=auto|containers|local}.
 * {@code auto} (the default) takes containers when a Docker engine answers, the machine's own
 * services otherwise. In container mode it starts PostgreSQL 15 and RabbitMQ with Testcontainers
 * and stops them when the run ends. Either way it publishes the addresses as the system
 * properties {@link TestServices} reads, and prints its choice.
 *
 * <p>Images: {@code postgres:15} and {@code rabbitmq:3-management} (the official ones), overridden
 * by {@code -Dtest.image.postgres} / {@code -Dtest.image.rabbitmq} or the environment variables
 * {@code EDUPULSE_TEST_POSTGRES_IMAGE} / {@code EDUPULSE_TEST_RABBITMQ_IMAGE} (CI builds
 * substitutes from Debian packages, since it can reach no registry).
 *
 * <p>Only the failsafe runs set {@code arquillian.launch}; elsewhere (unit tests) it does nothing.
 */
public final class ServicesLauncher implements LauncherSessionListener {

    private PostgreSQLContainer<?> database;
    private RabbitMQContainer broker;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (System.getProperty("arquillian.launch") == null || System.getProperty("test.db.url") != null) {
            return;
        }
        String mode = System.getProperty("test.services", "auto").trim().toLowerCase(Locale.ROOT);
        boolean containers = switch (mode) {
            case "containers" -> true;
            case "local" -> false;
            case "auto", "" -> dockerAnswers();
            default -> throw new IllegalArgumentException("test.services must be auto, containers or local, not '" + mode + "'");
        };
        if (containers) {
            startContainers();
        } else {
            publishLocal();
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        stopContainers();
    }

    private void stopContainers() {
        try {
            if (broker != null) {
                broker.stop();
            }
        } finally {
            if (database != null) {
                database.stop();
            }
        }
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void startContainers() {
        DockerImageName postgres = image("test.image.postgres", "EDUPULSE_TEST_POSTGRES_IMAGE", "postgres:15")
                .asCompatibleSubstituteFor("postgres");
        DockerImageName rabbitmq = image("test.image.rabbitmq", "EDUPULSE_TEST_RABBITMQ_IMAGE", "rabbitmq:3-management")
                .asCompatibleSubstituteFor("rabbitmq");
        database = new PostgreSQLContainer<>(postgres)
                .withDatabaseName("test").withUsername("postgres").withPassword("postgres");
        broker = new RabbitMQContainer(rabbitmq);
        try {
            database.start();
            broker.start();
        } catch (RuntimeException e) {
            stopContainers(); // Ryuk may be off: nothing else would remove them
            throw e;
        }
        String host = "127.0.0.1"; // the servers run with preferIPv4Stack; Docker publishes on IPv4
        String dbUrl = "jdbc:postgresql://" + host + ":" + database.getMappedPort(5432) + "/test";
        publish(Map.of(
                "test.db.url", dbUrl,
                "test.db.user", "postgres",
                "test.db.password", "postgres",
                "test.broker.host", host,
                "test.broker.port", Integer.toString(broker.getAmqpPort()),
                "test.broker.user", broker.getAdminUsername(),
                "test.broker.password", broker.getAdminPassword(),
                "test.broker.container", broker.getContainerId()));
        System.out.printf("[test services] containers: PostgreSQL %s at %s, RabbitMQ %s at %s:%d (container %s)%n",
                postgres, dbUrl, rabbitmq, host, broker.getAmqpPort(), broker.getContainerId().substring(0, 12));
    }

    private static void publishLocal() {
        publish(Map.of(
                "test.db.url", TestServices.dbUrl(),
                "test.db.user", TestServices.dbUser(),
                "test.db.password", TestServices.dbPassword(),
                "test.broker.host", TestServices.brokerHost(),
                "test.broker.port", Integer.toString(TestServices.brokerPort()),
                "test.broker.user", TestServices.brokerUser(),
                "test.broker.password", TestServices.brokerPassword(),
                "test.broker.container", ""));
        boolean up = answers(TestServices.dbHost(), TestServices.dbPort()) && answers(TestServices.brokerHost(), TestServices.brokerPort());
        System.out.printf("[test services] local: PostgreSQL at %s, RabbitMQ at %s%s%n", TestServices.dbUrl(),
                TestServices.brokerAddress(), up ? "" : " (NOT ANSWERING: start them, or run with Docker)");
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void publish(Map<String, String> properties) {
        properties.forEach(System::setProperty);
    }

    private static DockerImageName image(String property, String environment, String official) {
        String chosen = System.getProperty(property);
        if (chosen == null || chosen.isBlank()) {
            chosen = System.getenv(environment);
        }
        return DockerImageName.parse(chosen == null || chosen.isBlank() ? official : chosen);
    }

}
