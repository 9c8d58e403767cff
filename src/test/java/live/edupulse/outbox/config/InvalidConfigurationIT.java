package live.edupulse.outbox.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.ServerUnderTest;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.ShouldThrowException;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An invalid configuration value stops the deployment, and the server log names the key. */
@ExtendWith(ArquillianExtension.class)
class InvalidConfigurationIT {

    /*
     * Any deployment failure: WildFly's adapter reports it as a DeploymentException, Liberty's as
     * the server's own exception chain (CNTR0201E). The log assertion below proves the cause.
     */
    @Deployment
    @ShouldThrowException(Exception.class)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of("outbox.dispatch.batch-size", "plenty"));
    }

    @Test
    @RunAsClient
    void deploymentFailsWithAMessageNamingTheKeyAndTheValue() throws IOException {
        Path log = ServerUnderTest.current().log();
        String text = Files.readString(log);
        assertTrue(text.contains("Invalid configuration outbox.dispatch.batch-size: 'plenty' is not a whole number"),
                "the server log names the key and the value");
    }
}
