package live.edupulse.outbox.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Open Liberty server {@code NAME} in {@code target/liberty/wlp}, configured like the test
 * server {@code edupulse-test} (its server.xml, users and libraries), with HTTP ports shifted by
 * the offset, the dropins folder polled, and the WAR in it. Its transaction log is its own.
 */
public final class LibertyInstance extends ServerInstance {

    private static final Pattern STOPPED = Pattern.compile("CWWKZ0009I: The application edupulse has stopped");

    private final Path wlp = Path.of(System.getProperty("wlp.home"));
    private final Path serverDir;

    public LibertyInstance(String name, int portOffset, Map<String, String> environment, Path war) {
        super(name, portOffset, environment, war);
        this.serverDir = wlp.resolve("usr/servers").resolve(name);
    }

    @Override
    protected Path folder() {
        return serverDir;
    }

    @Override
    protected void prepare() throws IOException {
        Path template = wlp.resolve("usr/servers/edupulse-test");
        Files.createDirectories(serverDir);
        Files.copy(template.resolve("server.xml"), serverDir.resolve("server.xml"));
        Files.copy(template.resolve("users.xml"), serverDir.resolve("users.xml"));
        copy(template.resolve("lib"), serverDir.resolve("lib"));
        Files.createDirectories(serverDir.resolve("configDropins/overrides"));
        Files.writeString(serverDir.resolve("configDropins/overrides/instance.xml"), """
                <server>
                    <variable name="http.port" value="%d"/>
                    <variable name="https.port" value="%d"/>
                    <applicationMonitor updateTrigger="polled" pollingRate="500ms"/>
                </server>
                """.formatted(httpPort(), 9443 + portOffset));
        Files.createDirectories(dropins());
        Files.copy(war, dropins().resolve("edupulse.war"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    protected List<String> command() {
        return List.of(wlp.resolve("bin/server").toString(), "run", name);
    }

    @Override
    protected Map<String, String> jvmOptions() {
        return Map.of("JVM_ARGS", "-Xms256m -Xmx768m -Djava.net.preferIPv4Stack=true");
    }

    @Override
    protected int httpPort() {
        return 9080 + portOffset;
    }

    /** On the application port, as on any Liberty. */
    @Override
    public URL health() {
        try {
            return new URL("http://127.0.0.1:" + httpPort() + "/");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path serverLog() {
        return serverDir.resolve("logs/messages.log");
    }

    private Path dropins() {
        return serverDir.resolve("dropins");
    }

    /** Takes the WAR out of the polled dropins folder and waits for the server's "stopped" message. */
    @Override
    public void undeploy() throws IOException, InterruptedException {
        int stoppedBefore = stoppedMessages();
        Files.move(dropins().resolve("edupulse.war"), serverDir.resolve("edupulse.war"), StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (stoppedMessages() == stoppedBefore) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("edupulse was not undeployed within 90 s; see " + serverLog());
            }
            Thread.sleep(100); // the server reports the undeployment in its log only
        }
    }

    @Override
    public void redeploy() throws IOException, InterruptedException {
        Files.move(serverDir.resolve("edupulse.war"), dropins().resolve("edupulse.war"), StandardCopyOption.REPLACE_EXISTING);
        awaitApplication(Duration.ofMinutes(3));
    }

    private int stoppedMessages() throws IOException {
        if (!Files.exists(serverLog())) {
            return 0;
        }
        Matcher matcher = STOPPED.matcher(Files.readString(serverLog()));
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
