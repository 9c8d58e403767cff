package live.edupulse.outbox.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * An application server started by the test itself (not by Arquillian), with its own folder,
 * ports and transaction log, and the given WAR deployed. The test can kill it with SIGKILL, start
 * it again, and undeploy and redeploy the application. Environment variables configure it
 * (MicroProfile Config reads {@code OUTBOX_*}; the datasource reads {@code EDUPULSE_DB_URL}).
 * {@link #of} gives one of the kind the suite runs on.
 */
public abstract class ServerInstance implements AutoCloseable {

    protected final String name;
    protected final int portOffset;
    private final Map<String, String> environment;
    protected final Path war;
    private Process process;

    protected ServerInstance(String name, int portOffset, Map<String, String> environment, Path war) {
        this.name = name;
        this.portOffset = portOffset;
        this.environment = environment;
        this.war = war;
    }

    /** An instance of the server the suite runs on ({@link ServerUnderTest#current()}). */
    public static ServerInstance of(String name, int portOffset, Map<String, String> environment, Path war) {
        return switch (ServerUnderTest.current()) {
            case WILDFLY -> new WildFlyInstance(name, portOffset, environment, war);
            case LIBERTY -> new LibertyInstance(name, portOffset, environment, war);
        };
    }

    /** The instance's own folder (configuration, logs, deployments). */
    protected abstract Path folder();

    /** Creates the instance's folder with the WAR deployed, the first time. */
    protected abstract void prepare() throws IOException;

    /** The command that runs the server in the foreground. */
    protected abstract List<String> command();

    /** Environment variable with the JVM options, and their value. */
    protected abstract Map<String, String> jvmOptions();

    protected abstract int httpPort();

    /** The server's main log. */
    public abstract Path serverLog();

    /** Undeploys the application and waits until the server says it has (at most 90 s). */
    public abstract void undeploy() throws IOException, InterruptedException;

    /** Deploys the application again and waits until it answers (at most 3 minutes). */
    public abstract void redeploy() throws IOException, InterruptedException;

    /** Whether this object made its folder; a restart (after {@link #kill}, {@link #stop}) keeps it. */
    private boolean prepared;

    /**
     * Starts the server and waits until the application answers (at most 3 minutes). Refuses to
     * start when another process already listens on the server's HTTP port (a server an earlier,
     * interrupted run left behind would otherwise answer in its place); a server that does not come
     * up in time is killed, so a failed start leaves nothing running.
     */
    public ServerInstance start() throws IOException, InterruptedException {
        awaitPortFree(Duration.ofSeconds(15));
        if (!prepared) {
            // a folder of the same name left by an earlier, killed run holds that run's WAR
            delete();
            prepare();
            prepared = true;
        }
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectErrorStream(true)
                .redirectOutput(folder().resolve("console.log").toFile());
        builder.environment().putAll(Map.of(
                "EDUPULSE_DB_URL", TestServices.dbUrl(),
                "EDUPULSE_DB_USER", TestServices.dbUser(),
                "EDUPULSE_DB_PASSWORD", TestServices.dbPassword(),
                "OUTBOX_BROKER_ADDRESSES", TestServices.brokerAddress(),
                "OUTBOX_BROKER_USERNAME", TestServices.brokerUser(),
                "OUTBOX_BROKER_PASSWORD", TestServices.brokerPassword()));
        builder.environment().putAll(environment);
        builder.environment().putAll(jvmOptions());
        process = builder.start();
        try {
            awaitApplication(Duration.ofMinutes(3));
        } catch (RuntimeException | InterruptedException e) {
            kill();
            throw e;
        }
        return this;
    }

    /** Waits until nothing listens on the HTTP port any more; throws when something still does. */
    private void awaitPortFree(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (listening(httpPort())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("server " + name + " cannot start: another process listens on port "
                        + httpPort() + " (a server left running by an earlier run?)");
            }
            Thread.sleep(250); // polling a port with a bound: there is no event to wait on
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code kill -9} of the server's JVM (and its launcher script): no shutdown hook runs. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = processTree();
        all.forEach(ProcessHandle::destroyForcibly);
        awaitExit(all, Duration.ofSeconds(30));
        process = null;
    }

    /** A normal shutdown (SIGTERM to the JVM), waiting for it. */
    public void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = processTree();
        all.forEach(ProcessHandle::destroy);
        if (!awaitExit(all, Duration.ofSeconds(90))) {
            kill();
        }
        process = null;
    }

    /** The server's JVM and its launcher, children first. */
    private List<ProcessHandle> processTree() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        return all;
    }

    /** Whether every process ended within {@code within}. */
    private static boolean awaitExit(List<ProcessHandle> processes, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (ProcessHandle handle : processes) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    public URL base() {
        try {
            return new URL("http://127.0.0.1:" + httpPort() + "/edupulse/");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where this instance serves {@code health/live} and {@code health/ready}. */
    public abstract URL health();

    /** The pid of the server's JVM, or -1. */
    public long javaPid() {
        if (process == null) {
            return -1;
        }
        if (process.info().command().map(c -> c.endsWith("java")).orElse(false)) {
            return process.pid();
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

    protected void awaitApplication(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        URI metrics = URI.create(base() + "metrics");
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("server " + name + " exited; see " + folder().resolve("console.log"));
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

    protected static void copy(Path from, Path to) throws IOException {
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
        prepared = false;
        if (Files.exists(folder())) {
            try (Stream<Path> files = Files.walk(folder())) {
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
