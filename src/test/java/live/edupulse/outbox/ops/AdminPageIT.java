package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.Http;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in Debian's headless Chromium (installed by .ci/run): it loads after login,
 * shows a parked event the test created and the last hour's charts drawn from this instance's real
 * data (the event's failed attempt, the backlog counts, then its publication), its Retry button
 * gets it delivered, Pause stops delivery and Resume restarts it. A screenshot is written to
 * target/admin-page.png.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
public class AdminPageIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox(Map.of(
                "outbox.broker.unroutable-policy", "retry",
                "outbox.dispatch.max-attempts", "1"));
    }

    @ArquillianResource
    URL base;

    @Test
    void operatorRetriesAParkedEventAndPausesDispatchFromThePage() throws Exception {
        String type = "test_page_" + UUID.randomUUID().toString().substring(0, 8);
        String routingKey = "test.page." + type;
        String aggregate = type + "-x-0";
        burst(type, "x", routingKey);
        await().atMost(ofSeconds(20)).until(() -> Database.single(
                "SELECT count(*) FROM outbox_event WHERE aggregate_type = ? AND parked_at IS NOT NULL", type) == 1);
        String eventId = parkedId(type);

        ChromeDriver browser = browser();
        try (BrokerProbe probe = new BrokerProbe(routingKey)) {
            // Log in as a person would: the browser answers the realm's challenge and keeps the
            // credentials for the page and for the API it calls.
            String withCredentials = base.toString().replace("://", "://" + AdminApiIT.ADMIN + "@");
            browser.get(withCredentials + "api/outbox/summary");
            browser.get(withCredentials + "admin/index.html");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            // the page redraws every 3 s: an element read between two redraws may be gone
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
            WebElement row;
            try {
                row = wait.until(d -> d.findElements(By.cssSelector("tr[data-event-id='" + eventId + "']"))
                        .stream().findFirst().orElse(null));
            } catch (org.openqa.selenium.TimeoutException e) {
                throw new AssertionError("the parked event is not on the page; page says: "
                        + browser.findElement(By.id("message")).getText(), e);
            }
            assertTrue(row.getText().contains("NO_ROUTE"), row.getText());
            // the last hour's charts show this instance's real data: the parked event's failed
            // attempt, and the backlog counts (every 5 s)
            wait.until(d -> number(d, "chart-throughput", "data-failed") >= 1
                    && !d.findElements(By.cssSelector("#chart-throughput rect.failed")).isEmpty()
                    && number(d, "chart-backlog", "data-points") >= 1
                    && !d.findElements(By.cssSelector("#chart-backlog path.line")).isEmpty()
                    && number(d, "chart-age", "data-points") >= 1);
            Path screenshot = browser.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(screenshot, Path.of(System.getProperty("jboss.home")).getParent().resolve("admin-page.png"),
                    StandardCopyOption.REPLACE_EXISTING);

            // the probe is bound now: a retry can be routed
            // found again: the page redraws its table every 3 s, so the row found above may be gone
            wait.until(d -> {
                d.findElement(By.cssSelector("tr[data-event-id='" + eventId + "'] button.retry")).click();
                return true;
            });
            probe.next(ofAggregate(aggregate), ofSeconds(20));
            wait.until(d -> d.findElements(By.cssSelector("tr[data-event-id='" + eventId + "']")).isEmpty());
            wait.until(d -> number(d, "chart-throughput", "data-published") >= 1
                    && d.findElements(By.cssSelector("#chart-throughput rect.published")).stream()
                            .anyMatch(bar -> Long.parseLong(bar.getAttribute("data-value")) >= 1));

            browser.findElement(By.id("pause")).click();
            try {
                wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-paused")));
                burst(type, "y", routingKey);
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) {
                    assertEquals(0, Database.single("SELECT count(*) FROM outbox_event WHERE aggregate_id = ?"
                            + " AND (dispatched_at IS NOT NULL OR lease_token IS NOT NULL)", type + "-y-0"), "paused");
                }
            } finally {
                browser.findElement(By.id("resume")).click();
            }
            wait.until(d -> "false".equals(d.findElement(By.tagName("body")).getAttribute("data-paused")));
            probe.next(ofAggregate(type + "-y-0"), ofSeconds(20));
        } finally {
            browser.quit();
            // never leave the shared database paused, whatever the page did
            AdminApiIT.request("POST", base + "api/outbox/resume", AdminApiIT.ADMIN, null);
        }
    }

    private static long number(org.openqa.selenium.WebDriver browser, String id, String attribute) {
        String value = browser.findElement(By.id(id)).getAttribute(attribute);
        return value == null ? 0 : Long.parseLong(value);
    }

    private static String parkedId(String type) throws Exception {
        try (var connection = Database.connect();
             var query = connection.prepareStatement("SELECT id::text FROM outbox_event WHERE aggregate_type = ? AND parked_at IS NOT NULL")) {
            query.setString(1, type);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    /** Debian's headless Chromium through its ChromeDriver, as the page tests drive it. */
    public static ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1300");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
                .build();
        return new ChromeDriver(service, options);
    }

    private void burst(String type, String prefix, String routingKey) {
        HttpResponse<String> response = new Http(base).post("api/test/events?type=" + type + "&prefix=" + type + "-" + prefix
                + "&routingKey=" + routingKey + "&count=1&aggregates=1&perTransaction=1", null);
        assertEquals(200, response.statusCode(), response.body());
    }
}
