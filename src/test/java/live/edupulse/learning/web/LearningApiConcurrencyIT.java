package live.edupulse.learning.web;

import static java.time.Duration.ofSeconds;
import static live.edupulse.outbox.testing.BrokerProbe.ofAggregate;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import live.edupulse.outbox.testing.BrokerProbe;
import live.edupulse.outbox.testing.BrokerProbe.Delivery;
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

/** Requests racing on one pulse: losers get 409, never a 500, and events match what committed. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LearningApiConcurrencyIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.outbox();
    }

    @ArquillianResource
    URL base;

    @Test
    void concurrentRetitlesEitherWinOrGet409AndEveryWinHasItsEvent() throws Exception {
        Http http = new Http(base);
        String pulseId = createPulse(http);
        int racers = 12;
        try (BrokerProbe probe = new BrokerProbe("learning_pulse.retitled")) {
            List<HttpResponse<String>> responses = race(racers,
                    i -> () -> http.patch("api/pulses/" + pulseId, "{\"title\":\"Title " + i + "\"}"));
            long won = responses.stream().filter(r -> r.statusCode() == 200).count();
            for (HttpResponse<String> response : responses) {
                if (response.statusCode() != 200) {
                    LearningApiIT.assertProblem(response, 409, null);
                }
            }
            System.out.printf("concurrent retitles: %d won, %d got 409%n", won, racers - won);
            assertTrue(won >= 1);
            assertEquals(won, Database.single("SELECT version FROM learning_pulse WHERE id = ?::uuid", pulseId),
                    "one version step per successful retitle");

            List<Delivery> events = probe.collect(ofAggregate(pulseId), (int) won, ofSeconds(20));
            List<Long> versions = new ArrayList<>();
            for (Delivery event : events) {
                versions.add(((Number) LearningApiIT.payloadOf(event).get("version")).longValue());
            }
            List<Long> expected = new ArrayList<>();
            for (long v = 1; v <= won; v++) {
                expected.add(v);
            }
            assertEquals(expected, versions, "versions rise by one, in arrival order");
        }
    }

    @Test
    void submissionRacingACloseNeverSlipsInAfterIt() throws Exception {
        Http http = new Http(base);
        String pulseId = createPulse(http);
        int submitters = 6;
        AtomicInteger accepted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(submitters);
        List<Future<HttpResponse<String>>> lastResponses = new ArrayList<>();
        try {
            // Each submitter keeps submitting until the pulse refuses it; the close lands in the middle.
            for (int s = 0; s < submitters; s++) {
                lastResponses.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 2_000; attempt++) {
                        HttpResponse<String> response = http.post("api/pulses/" + pulseId + "/submissions",
                                "{\"studentId\":\"" + UUID.randomUUID() + "\",\"answer\":\"a\"}");
                        if (response.statusCode() != 201) {
                            return response;
                        }
                        accepted.incrementAndGet();
                    }
                    throw new AssertionError("the pulse never refused a submission");
                }));
            }
            await().atMost(ofSeconds(30)).until(() -> accepted.get() >= 30);
            HttpResponse<String> closed = http.post("api/pulses/" + pulseId + "/close", null);
            assertEquals(200, closed.statusCode(), closed.body());
            for (Future<HttpResponse<String>> last : lastResponses) {
                LearningApiIT.assertProblem(last.get(60, TimeUnit.SECONDS), 409, null);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("submissions racing a close: %d accepted before it, %d refused after it%n",
                accepted.get(), submitters);

        assertEquals(accepted.get(), Database.single("SELECT count(*) FROM learning_submission WHERE pulse_id = ?::uuid", pulseId));
        // Every accepted submission's event was recorded before the close's event (the close
        // waited for them), and none after it.
        long closeSeq = Database.single(
                "SELECT seq FROM outbox_event WHERE aggregate_id = ? AND event_type = 'learning_pulse.closed'", pulseId);
        List<Long> submissionSeqs = Database.longs("""
                SELECT e.seq FROM outbox_event e JOIN learning_submission s ON e.aggregate_id = s.id::text
                 WHERE e.aggregate_type = 'submission' AND s.pulse_id = ?::uuid""", pulseId);
        assertEquals(accepted.get(), submissionSeqs.size());
        assertTrue(submissionSeqs.stream().allMatch(seq -> seq < closeSeq),
                "no submission recorded after the close");
        assertEquals(0, Database.single("""
                SELECT count(*) FROM learning_submission s JOIN learning_pulse p ON p.id = s.pulse_id
                 WHERE p.id = ?::uuid AND s.created_at > p.closed_at""", pulseId), "no submission stamped after the close");
    }

    private static String createPulse(Http http) throws Exception {
        HttpResponse<String> created = http.post("api/pulses",
                "{\"authorId\":\"" + UUID.randomUUID() + "\",\"title\":\"Race\"}");
        assertEquals(201, created.statusCode(), created.body());
        return LearningApiIT.JSON.readTree(created.body()).get("id").asText();
    }

    /** Starts all requests at once (a latch), returns their responses in index order. */
    private static List<HttpResponse<String>> race(int count, java.util.function.IntFunction<Callable<HttpResponse<String>>> request)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Callable<HttpResponse<String>> call = request.apply(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
