package live.edupulse.outbox.testing;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR the build produced ({@code target/edupulse.war}), exactly as shipped, plus the test
 * support classes and configuration overrides: a second {@code META-INF/microprofile-config.properties}
 * in a library jar, with a higher ordinal than the WAR's defaults, naming the broker of this run
 * ({@link TestServices}) and whatever the test overrides.
 */
public final class Deployments {

    private Deployments() {
    }

    /**
     * {@link #outbox()} written to {@code fileName} beside the provisioned server, for a server a
     * test starts itself ({@link ServerInstance#of}).
     */
    public static Path outboxFile(String fileName) {
        Path war = Path.of(System.getProperty("jboss.home")).getParent().resolve(fileName);
        outbox().as(ZipExporter.class).exportTo(war.toFile(), true);
        return war;
    }

    public static WebArchive outbox() {
        return outbox(Map.of());
    }

    public static WebArchive outbox(Map<String, String> overrides) {
        Map<String, String> configOverrides = new TreeMap<>(overrides);
        // the broker of this run (a container's, in container mode) unless the test names another
        configOverrides.putIfAbsent("outbox.broker.addresses", TestServices.brokerAddress());
        configOverrides.putIfAbsent("outbox.broker.username", TestServices.brokerUser());
        configOverrides.putIfAbsent("outbox.broker.password", TestServices.brokerPassword());
        WebArchive war = ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("edupulse.war")))
                .addPackage(Deployments.class.getPackage())
                .addAsLibrary(jarOf(org.awaitility.Awaitility.class))
                .addAsLibrary(jarOf(org.hamcrest.Matcher.class));
        if (!configOverrides.isEmpty()) {
            StringBuilder properties = new StringBuilder("config_ordinal=200\n");
            new TreeMap<>(configOverrides).forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
            war.addAsLibrary(ShrinkWrap.create(JavaArchive.class, "test-config-overrides.jar")
                    .addAsManifestResource(new StringAsset(properties.toString()), "microprofile-config.properties"));
        }
        return war;
    }

    private static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
