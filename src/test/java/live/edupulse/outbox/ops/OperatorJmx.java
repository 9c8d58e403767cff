package live.edupulse.outbox.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import live.edupulse.outbox.testing.ServerUnderTest;

/**
 * A JMX connection to the server under test, made the way an operator's JConsole makes it: on
 * WildFly with WildFly's own client ({@code jboss-cli-client.jar}, {@code remote+http} on the
 * management port, a ManagementRealm user); on Open Liberty with its REST connector client
 * ({@code wlp/clients/restConnector.jar}, HTTPS on 9443, a user in the administrator role, the
 * server's own certificate trusted). Each client jar is loaded on its own, apart from the test's
 * class path, as JConsole would load it.
 */
final class OperatorJmx {

    static final String USER = "jmx-operator";
    private static final String PASSWORD = "jmx-test-password";

    private OperatorJmx() {
    }

    static JMXConnector connect() throws IOException, GeneralSecurityException {
        Map<String, Object> environment = new HashMap<>();
        environment.put(JMXConnector.CREDENTIALS, new String[] {USER, PASSWORD});
        JMXServiceURL url;
        ClassLoader client;
        if (ServerUnderTest.current() == ServerUnderTest.WILDFLY) {
            url = new JMXServiceURL("service:jmx:remote+http://127.0.0.1:9990");
            client = isolated(Path.of(System.getProperty("wildfly.jmx.client")));
        } else {
            url = new JMXServiceURL("service:jmx:rest://127.0.0.1:9443/IBMJMXConnectorREST");
            Path wlp = Path.of(System.getProperty("wlp.home"));
            client = isolated(wlp.resolve("clients/restConnector.jar"));
            environment.put("jmx.remote.protocol.provider.pkgs", "com.ibm.ws.jmx.connector.client");
            environment.put("com.ibm.ws.jmx.connector.client.CUSTOM_SSLSOCKETFACTORY",
                    trusting(wlp.resolve("usr/servers/edupulse-test")).getSocketFactory());
            // the generated certificate names localhost; the test connects to 127.0.0.1
            environment.put("com.ibm.ws.jmx.connector.client.disableURLHostnameVerification", Boolean.TRUE);
        }
        environment.put(JMXConnectorFactory.PROTOCOL_PROVIDER_CLASS_LOADER, client);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(client);
        try {
            return JMXConnectorFactory.connect(url, environment);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static ClassLoader isolated(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("JMX client jar missing: " + jar);
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    /** Trusts the certificate Liberty generated for this server (its key.p12, password in server.env). */
    private static SSLContext trusting(Path server) throws IOException, GeneralSecurityException {
        Properties env = new Properties();
        try (InputStream in = Files.newInputStream(server.resolve("server.env"))) {
            env.load(in);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server.resolve("resources/security/key.p12"))) {
            keys.load(in, env.getProperty("keystore_password").toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
