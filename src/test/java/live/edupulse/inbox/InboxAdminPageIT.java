package live.edupulse.inbox;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import live.edupulse.outbox.ops.AdminPageIT;
import live.edupulse.outbox.testing.Database;
import live.edupulse.outbox.testing.Deployments;
import live.edupulse.outbox.testing.RecordingInboxConsumer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
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
 * The inbox on the admin page, in Debian's headless Chromium: a parked event and a held event
 * behind a gap show beside the outbox's; Retry applies the parked one once its cause is gone, Skip
 * gap applies the held one.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InboxAdminPageIT {

    private static final String ADMIN = "outbox-admin:admin-test-password";

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        try (Connection connection = Database.connect(); Statement statement = connection.createStatement()) {
            statement.execute(RecordingInboxConsumer.TABLES);
        }
        return Deployments.outbox(Map.of("inbox.max-attempts", "2", "inbox.backoff-initial", "100ms",
                "inbox.backoff-max", "200ms"));
    }

    @ArquillianResource
    URL base;

    @Test
    void operatorRetriesAParkedInboxEventAndSkipsAGap() throws Exception {
        String type = RecordingInboxConsumer.ROUTING_KEY_PREFIX + "page";
        String poisoned = UUID.randomUUID().toString();
        String gapped = UUID.randomUUID().toString();
        Database.single("INSERT INTO inbox_test_poison (aggregate_id) VALUES (?) RETURNING 1", poisoned);
        UUID parked;
        UUID held;
        try (ContractPublisher publisher = new ContractPublisher()) {
            parked = publisher.publish(UUID.randomUUID(), "inbox_test", poisoned, 1, type, "{}");
            held = publisher.publish(UUID.randomUUID(), "inbox_test", gapped, 3, type, "{}");
        }
        await().atMost(ofSeconds(20)).until(() -> Database.single(
                "SELECT count(*) FROM inbox_message WHERE message_id = ? AND status = 'parked'", parked) == 1);

        ChromeDriver browser = AdminPageIT.browser();
        try {
            String withCredentials = base.toString().replace("://", "://" + ADMIN + "@");
            browser.get(withCredentials + "api/inbox");
            browser.get(withCredentials + "admin/index.html");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.ignoring(StaleElementReferenceException.class);
            WebElement parkedRow = row(wait, parked);
            assertEquals("parked", parkedRow.findElement(By.className("status")).getText());
            WebElement heldRow = row(wait, held);
            assertEquals("held", heldRow.findElement(By.className("status")).getText());
            Path picture = Path.of("target", "admin-page-inbox.png");
            Files.write(picture, browser.findElement(By.cssSelector("section[aria-label='Inbox']"))
                    .getScreenshotAs(OutputType.BYTES));

            Database.single("DELETE FROM inbox_test_poison WHERE aggregate_id = ? RETURNING 1", poisoned);
            wait.until(d -> {
                row(wait, parked).findElement(By.className("retry")).click();
                return true;
            });
            assertEquals(List.of(1L), await().atMost(ofSeconds(20)).until(() -> effects(poisoned), e -> !e.isEmpty()));

            wait.until(d -> {
                row(wait, held).findElement(By.className("skip")).click();
                return true;
            });
            browser.switchTo().alert().accept();
            assertEquals(List.of(3L), await().atMost(ofSeconds(20)).until(() -> effects(gapped), e -> !e.isEmpty()));
            // the last hour's inbox chart counts what this instance applied, the two events included
            wait.until(d -> Long.parseLong(d.findElement(By.id("chart-inbox")).getAttribute("data-applied")) >= 2);
            wait.until(d -> d.findElements(By.cssSelector("tr[data-message-id='" + held + "']")).isEmpty()
                    && d.findElements(By.cssSelector("tr[data-message-id='" + parked + "']")).isEmpty());
            System.out.println("inbox on the admin page: parked event retried, gap skipped; screenshot " + picture.toAbsolutePath());
        } finally {
            browser.quit();
            Database.longs("DELETE FROM inbox_test_poison WHERE aggregate_id = ? RETURNING 1", poisoned);
        }
    }

    private static WebElement row(WebDriverWait wait, UUID messageId) {
        return wait.until(d -> d.findElements(By.cssSelector("tr[data-message-id='" + messageId + "']"))
                .stream().findFirst().orElse(null));
    }

    private static List<Long> effects(String aggregateId) throws Exception {
        return Database.longs("SELECT aggregate_seq FROM inbox_test_effect WHERE aggregate_id = ? ORDER BY applied_order",
                aggregateId);
    }
}
