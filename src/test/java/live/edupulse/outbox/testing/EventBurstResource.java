package live.edupulse.outbox.testing;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test-only (never in the shipped WAR): records many events quickly through the real recording
 * path, {@code perTransaction} events per transaction, round-robin over {@code aggregates}
 * aggregates named {@code <prefix>-<n>} of type {@code type}. Returns how many were committed.
 */
@Path("test/events")
public class EventBurstResource {

    @Inject
    EventFiringService service;

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<live.edupulse.outbox.api.DomainEvent> events;

    /**
     * A business call for the benchmark: one row written in one transaction, with {@code events}
     * events of its aggregate (none, one or several), so their costs can be compared.
     */
    @POST
    @Path("business")
    @Transactional
    public String business(@QueryParam("events") int eventCount, @QueryParam("routingKey") String routingKey) {
        UUID id = UUID.randomUUID();
        entityManager.createNativeQuery("INSERT INTO learning_pulse (id, author_id, title, created_at, version)"
                        + " VALUES (CAST(?1 AS uuid), CAST(?1 AS uuid), 'benchmark', now(), 0)")
                .setParameter(1, id.toString()).executeUpdate();
        for (int i = 0; i < eventCount; i++) {
            events.fire(new TestEvent("bench_business", id.toString(), routingKey, Map.of("title", "benchmark")));
        }
        return id.toString();
    }

    /**
     * The learning API's submission call as {@code PulseService.submit} makes it (the pulse read
     * with a shared lock, the submission inserted, its event recorded), with or without the event.
     */
    @POST
    @Path("submission")
    @Transactional
    public String submission(@QueryParam("pulseId") UUID pulseId, @QueryParam("withEvent") boolean withEvent,
                             @QueryParam("routingKey") String routingKey) {
        entityManager.createNativeQuery("SELECT closed_at FROM learning_pulse WHERE id = ?1 FOR SHARE")
                .setParameter(1, pulseId).getSingleResult();
        UUID id = UUID.randomUUID();
        entityManager.createNativeQuery("INSERT INTO learning_submission (id, pulse_id, student_id, answer, created_at)"
                        + " VALUES (?1, ?2, ?3, 'benchmark', now())")
                .setParameter(1, id).setParameter(2, pulseId).setParameter(3, UUID.randomUUID()).executeUpdate();
        if (withEvent) {
            events.fire(new TestEvent("bench_submission", pulseId.toString(), routingKey,
                    Map.of("submissionId", id.toString())));
        }
        return id.toString();
    }

    @POST
    public String burst(@QueryParam("type") String type, @QueryParam("prefix") String prefix,
                        @QueryParam("count") int count, @QueryParam("aggregates") int aggregates,
                        @QueryParam("perTransaction") int perTransaction, @QueryParam("routingKey") String routingKey,
                        @QueryParam("payloadBytes") int payloadBytes) {
        String filler = "x".repeat(Math.max(0, payloadBytes - 30));
        int committed = 0;
        while (committed < count) {
            int size = Math.min(perTransaction, count - committed);
            List<TestEvent> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int n = committed + i;
                batch.add(new TestEvent(type, prefix + "-" + (n % aggregates), routingKey,
                        filler.isEmpty() ? Map.of("n", n) : Map.of("n", n, "text", filler)));
            }
            service.fire(batch.toArray(TestEvent[]::new));
            committed += size;
        }
        return Integer.toString(committed);
    }
}
