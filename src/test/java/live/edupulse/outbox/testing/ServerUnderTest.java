package live.edupulse.outbox.testing;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The application server the Arquillian suite runs on, as the build names it (system property
 * {@code edupulse.server}: {@code wildfly} or {@code liberty}), and where that server keeps what a
 * client-side test looks at: the application's URL, health, the server log, its JVM.
 */
public enum ServerUnderTest {

    /** WildFly provisioned into target/server; health on the management port. */
    WILDFLY(8080, "http://127.0.0.1:9990/",
            () -> Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log"),
            () -> "-Djboss.home.dir=" + System.getProperty("jboss.home")),

    /** Open Liberty server edupulse-test in target/liberty/wlp; health on the application port. */
    LIBERTY(9080, "http://127.0.0.1:9080/",
            () -> Path.of(System.getProperty("wlp.home"), "usr", "servers", "edupulse-test", "logs", "messages.log"),
            () -> "ws-server.jar edupulse-test");

    // Suppliers rather than constant-specific class bodies: those compile to subclasses of a sealed
    // enum, which Liberty's Arquillian adapter fails to load while scanning the test WAR for servlets.
    private final int httpPort;
    private final String healthBase;
    private final Supplier<Path> log;
    private final Supplier<String> commandLineMark;

    ServerUnderTest(int httpPort, String healthBase, Supplier<Path> log, Supplier<String> commandLineMark) {
        this.httpPort = httpPort;
        this.healthBase = healthBase;
        this.log = log;
        this.commandLineMark = commandLineMark;
    }

    /**
     * On the client side, what the build says; inside the server (an in-container test), the server
     * this JVM is.
     */
    public static ServerUnderTest current() {
        String named = System.getProperty("edupulse.server");
        if (named != null) {
            return valueOf(named.toUpperCase(java.util.Locale.ROOT));
        }
        return System.getProperty("jboss.home.dir") != null ? WILDFLY : LIBERTY;
    }

    /** The application's root, {@code http://127.0.0.1:port/edupulse/}. */
    public URL application() {
        return url("http://127.0.0.1:" + httpPort + "/edupulse/");
    }

    /** Where {@code health/ready} and {@code health/live} are served. */
    public URL health() {
        return url(healthBase);
    }

    /** The server's main log file. */
    public Path log() {
        return log.get();
    }

    /** A thread dump of the server's JVM (jcmd). */
    public String threadDump() throws IOException, InterruptedException {
        long pid = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(commandLineMark.get())).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new AssertionError("no running " + this + " JVM found"));
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "Thread.print"))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("jcmd " + pid + " Thread.print failed: " + output);
        }
        return output;
    }

    private static URL url(String text) {
        try {
            return new URL(text);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
