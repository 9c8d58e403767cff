package live.edupulse.tools;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * What {@code mvn -Pstart package} and {@code mvn -Pstart-liberty package} run before the server:
 * when the database or the broker the server will use does not answer, and a Docker engine does,
 * it starts that service in a container published on exactly the address the server expects, so
 * nothing about the server changes. The containers stop when the build's JVM ends (Ctrl-C on the
 * server). A service configured elsewhere ({@code EDUPULSE_DB_URL}, {@code OUTBOX_BROKER_URI} or
 * {@code OUTBOX_BROKER_ADDRESSES} naming another host) or already answering is left alone.
 *
 * <p>Images as in the test suite: {@code postgres:15} and {@code rabbitmq:3-management}, or
 * {@code EDUPULSE_TEST_POSTGRES_IMAGE} / {@code EDUPULSE_TEST_RABBITMQ_IMAGE}.
 */
public final class DevServices {

    private DevServices() {
    }

    public static void main(String[] args) {
        URI database = URI.create(env("EDUPULSE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test").substring("jdbc:".length()));
        int databasePort = database.getPort() == -1 ? 5432 : database.getPort();
        String broker = env("OUTBOX_BROKER_URI", "").isBlank()
                ? env("OUTBOX_BROKER_ADDRESSES", "127.0.0.1:5672").split(",")[0].trim() : null;
        boolean needDatabase = isLocal(database.getHost()) && !answers(database.getHost(), databasePort);
        boolean needBroker = broker != null && isLocal(host(broker)) && !answers(host(broker), port(broker));
        if (!needDatabase && !needBroker) {
            System.out.println("[dev services] database and broker answer (or are configured elsewhere): none started");
            return;
        }
        if (!dockerAnswers()) {
            System.out.println("[dev services] " + (needDatabase ? "PostgreSQL at " + database.getHost() + ":" + databasePort : "")
                    + (needDatabase && needBroker ? " and " : "") + (needBroker ? "RabbitMQ at " + broker : "")
                    + " not answering, and no Docker engine to start them in: the server will wait for them");
            return;
        }
        if (needDatabase) {
            String name = database.getPath().substring(1);
            PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(image("EDUPULSE_TEST_POSTGRES_IMAGE", "postgres:15", "postgres"))
                    .withDatabaseName(name.isEmpty() ? "test" : name)
                    .withUsername(env("EDUPULSE_DB_USER", "postgres"))
                    .withPassword(env("EDUPULSE_DB_PASSWORD", "postgres"));
            start(postgres, "PostgreSQL", database.getHost(), databasePort, 5432);
        }
        if (needBroker) {
            RabbitMQContainer rabbitmq = new RabbitMQContainer(image("EDUPULSE_TEST_RABBITMQ_IMAGE", "rabbitmq:3-management", "rabbitmq"))
                    .withExposedPorts(5672); // only AMQP is published, on the configured port
            start(rabbitmq, "RabbitMQ", host(broker), port(broker), 5672);
        }
    }

    /** Starts {@code container} with {@code containerPort} published on {@code host:port}, and stops it at exit. */
    private static void start(GenericContainer<?> container, String what, String host, int port, int containerPort) {
        container.withCreateContainerCmdModifier(command -> command.getHostConfig().withPortBindings(
                new PortBinding(Ports.Binding.bindIpAndPort(bindAddress(host), port), new ExposedPort(containerPort))));
        container.start();
        String id = container.getContainerId();
        // by the docker command: at exit, the build may have closed the class loader Testcontainers came from
        Runtime.getRuntime().addShutdownHook(new Thread(() -> removeContainer(id), "dev-services-stop"));
        System.out.printf("[dev services] %s started in container %s (%s) on %s:%d; it stops with the server%n", what,
                container.getContainerId().substring(0, 12), container.getDockerImageName(), host, port);
    }

    private static void removeContainer(String id) {
        try {
            new ProcessBuilder("docker", "rm", "-f", id).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            System.err.println("[dev services] could not remove container " + id + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String bindAddress(String host) {
        return host.equals("localhost") ? "127.0.0.1" : host;
    }

    private static boolean isLocal(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost");
    }

    private static String host(String address) {
        return address.contains(":") ? address.substring(0, address.indexOf(':')) : address;
    }

    private static int port(String address) {
        return address.contains(":") ? Integer.parseInt(address.substring(address.indexOf(':') + 1)) : 5672;
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static DockerImageName image(String variable, String official, String substituteFor) {
        return DockerImageName.parse(env(variable, official)).asCompatibleSubstituteFor(substituteFor);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
