package live.edupulse.outbox.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A WildFly from the provisioned server in {@code target/server}, with its own base folder
 * ({@code target/instances/NAME}), a port offset and its own transaction node id.
 */
public final class WildFlyInstance extends ServerInstance {

    private final Path home = Path.of(System.getProperty("jboss.home"));
    private final Path baseDir;

    public WildFlyInstance(String name, int portOffset, Map<String, String> environment, Path war) {
        super(name, portOffset, environment, war);
        this.baseDir = home.getParent().resolve("instances").resolve(name);
    }

    @Override
    protected Path folder() {
        return baseDir;
    }

    @Override
    protected void prepare() throws IOException {
        copy(home.resolve("standalone/configuration"), baseDir.resolve("configuration"));
        Files.createDirectories(deployments());
        Files.copy(war, deployments().resolve("edupulse.war"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    protected List<String> command() {
        return List.of(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + baseDir,
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.tx.node.id=" + name);
    }

    @Override
    protected Map<String, String> jvmOptions() {
        return Map.of("JAVA_OPTS", "-Xms256m -Xmx768m -Djava.net.preferIPv4Stack=true");
    }

    @Override
    protected int httpPort() {
        return 8080 + portOffset;
    }

    public int managementPort() {
        return 9990 + portOffset;
    }

    /** On the management port, as on any WildFly. */
    @Override
    public URL health() {
        try {
            return new URL("http://127.0.0.1:" + managementPort() + "/");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path serverLog() {
        return baseDir.resolve("log/server.log");
    }

    private Path deployments() {
        return baseDir.resolve("deployments");
    }

    /** Through the deployment scanner's marker files. */
    @Override
    public void undeploy() throws IOException, InterruptedException {
        Files.delete(deployments().resolve("edupulse.war.deployed"));
        awaitFile(deployments().resolve("edupulse.war.undeployed"), Duration.ofSeconds(90));
    }

    @Override
    public void redeploy() throws IOException, InterruptedException {
        Files.createFile(deployments().resolve("edupulse.war.dodeploy"));
        awaitFile(deployments().resolve("edupulse.war.deployed"), Duration.ofMinutes(3));
        awaitApplication(Duration.ofMinutes(1));
    }

    private static void awaitFile(Path marker, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!Files.exists(marker)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(marker.getFileName() + " did not appear within " + within);
            }
            Thread.sleep(100); // the deployment scanner reports through marker files only
        }
    }
}
