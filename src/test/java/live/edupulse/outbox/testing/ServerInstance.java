package live.edupulse.outbox.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A WildFly started by the test itself (not by Arquillian), from the provisioned server in
 * {@code target/server}, with its own base folder, port offset and transaction node id, and the
 * given WAR in its deployments folder. The test can kill it with SIGKILL and start it again.
 * Environment variables configure it (MicroProfile Config reads {@code OUTBOX_*}; the datasource
 * reads {@code EDUPULSE_DB_URL}).
 */
public final class ServerInstance implements AutoCloseable {

    private final String name;
    private final int portOffset;
    private final Map<String, String> environment;
    private final Path war;
    private final Path home = Path.of(System.getProperty("jboss.home"));
    private final Path baseDir;
    private Process process;

    public ServerInstance(String name, int portOffset, Map<String, String> environment, Path war) {
        this.name = name;
        this.portOffset = portOffset;
        this.environment = environment;
        this.war = war;
        this.baseDir = home.getParent().resolve("instances").resolve(name);
    }

    /** Starts the server and waits until the application answers (at most 3 minutes). */
    public ServerInstance start() throws IOException, InterruptedException {
        if (!Files.exists(baseDir)) {
            copy(home.resolve("standalone/configuration"), baseDir.resolve("configuration"));
            Files.createDirectories(baseDir.resolve("deployments"));
            Files.copy(war, baseDir.resolve("deployments/edupulse.war"), StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + baseDir,
                "-Djboss.socket.binding.port-offset=" + portOffset,
                "-Djboss.tx.node.id=" + name));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(baseDir.resolve("console.log").toFile());
        builder.environment().putAll(environment);
        builder.environment().put("JAVA_OPTS", "-Xms256m -Xmx768m -Djava.net.preferIPv4Stack=true");
        process = builder.start();
        awaitApplication(Duration.ofMinutes(3));
        return this;
    }

    /** {@code kill -9} of the server's JVM (and its launcher script): no shutdown hook runs. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        process = null;
    }

    /** A normal shutdown (SIGTERM to the JVM), waiting for it. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            kill();
        }
        process = null;
    }

    public URL base() {
        try {
            return new URL("http://127.0.0.1:" + (8080 + portOffset) + "/edupulse/");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The pid of the server's JVM, or -1. */
    public long javaPid() {
        if (process == null) {
            return -1;
        }
        return process.descendants().filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().map(ProcessHandle::pid).orElse(-1L);
    }

    /** Resident set size of the server's JVM in MB (from /proc), or -1. */
    public long residentMb() {
        long pid = javaPid();
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return -1;
    }

    public int managementPort() {
        return 9990 + portOffset;
    }

    public Path serverLog() {
        return baseDir.resolve("log/server.log");
    }

    public Path deployments() {
        return baseDir.resolve("deployments");
    }

    private void awaitApplication(Duration within) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + within.toNanos();
        URI metrics = URI.create(base() + "metrics");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server " + name + " exited; see " + baseDir.resolve("console.log"));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) metrics.toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(250); // polling a port with a bound: there is no event to wait on
        }
        throw new IllegalStateException("server " + name + " did not deploy within " + within + "; see " + serverLog());
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Removes the instance's folder (call after stop). */
    public void delete() throws IOException {
        if (Files.exists(baseDir)) {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        delete();
    }
}
