package live.edupulse.outbox.ops;

import static java.time.Duration.ofSeconds;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Callers of a stale value share one computation; a fresh value is not computed again. */
class SharedRefreshTest {

    @Test
    void concurrentCallersOfAStaleValueWaitForOneComputation() throws Exception {
        AtomicInteger computations = new AtomicInteger();
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        SharedRefresh<Integer> counts = new SharedRefresh<>(Duration.ofSeconds(30), System::nanoTime, () -> {
            computing.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return computations.incrementAndGet();
        });
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Thread> threads = new ArrayList<>();
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(() -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread());
                    }
                    return counts.get();
                }));
            }
            computing.await();
            // the seven others are blocked behind the one computing, not computing themselves
            await().atMost(ofSeconds(10)).until(() -> {
                synchronized (threads) {
                    return threads.size() == 8
                            && threads.stream().filter(t -> t.getState() == Thread.State.BLOCKED).count() == 7;
                }
            });
            finish.countDown();
            for (Future<Integer> answer : answers) {
                assertEquals(1, answer.get());
            }
            assertEquals(1, computations.get());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aValueIsComputedAgainOnlyAfterItsTimeToLive() {
        AtomicLong now = new AtomicLong();
        AtomicInteger computations = new AtomicInteger();
        SharedRefresh<Integer> counts = new SharedRefresh<>(Duration.ofNanos(100), now::get, computations::incrementAndGet);
        assertEquals(1, counts.get());
        now.set(99);
        assertEquals(1, counts.get());
        now.set(100);
        assertEquals(2, counts.get());
    }
}
