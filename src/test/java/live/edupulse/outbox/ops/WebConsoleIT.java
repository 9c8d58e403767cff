package live.edupulse.outbox.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import live.edupulse.outbox.testing.Deployments;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * WildFly's web console (HAL, the {@code web-console} Galleon layer) in Debian's headless
 * Chromium, as an operator uses it: log in with a ManagementRealm user, open Runtime, the server,
 * Monitor, EJB, and find the dispatcher's singleton of {@code edupulse.war}. A screenshot is
 * written to target/wildfly-console.png. WildFly only (Liberty has no such console).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebConsoleIT {

    private static final String CONSOLE = "http://127.0.0.1:9990/console/index.html";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @Test
    void operatorFindsTheDispatcherOfEdupulseWarInTheConsolesRuntimeView() throws Exception {
        // the management interface answers no one without credentials
        assertEquals(401, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:9990/management")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        ChromeDriver browser = AdminPageIT.browser();
        try {
            // The browser answers the management realm's challenge with these credentials and keeps
            // them for the console's own requests (a page loaded with user:password@ in its URL
            // would have its scripts refused).
            browser.get("http://" + OperatorJmx.USER + ":jmx-test-password@127.0.0.1:9990/management");
            browser.get(CONSOLE + "#runtime");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.ignoring(StaleElementReferenceException.class);
            click(wait, By.cssSelector("#standalone-server-column li.finder-item"));
            click(wait, By.cssSelector("li#ejb3"));
            WebElement dispatcher = wait.until(d -> d.findElement(By.cssSelector("li#edupulsewar-singleton-outboxdispatcher")));
            assertTrue(dispatcher.getText().contains("OutboxDispatcher") && dispatcher.getText().contains("edupulse.war"),
                    dispatcher.getText());
            dispatcher.click();
            wait.until(d -> d.getPageSource().contains("live.edupulse.outbox.dispatch.OutboxDispatcher"));
            Path screenshot = browser.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(screenshot, Path.of(System.getProperty("jboss.home")).getParent().resolve("wildfly-console.png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }

    private static void click(WebDriverWait wait, By what) {
        wait.until(d -> {
            WebElement element = d.findElement(what);
            if (!element.isDisplayed()) {
                return false;
            }
            element.click();
            return true;
        });
    }
}
