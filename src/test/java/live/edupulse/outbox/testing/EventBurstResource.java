package live.edupulse.outbox.testing;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test-only (never in the shipped WAR): records many events quickly through the real recording
 * path, {@code perTransaction} events per transaction, round-robin over {@code aggregates}
 * aggregates named {@code <prefix>-<n>} of type {@code type}. Returns how many were committed.
 */
@Path("test/events")
public class EventBurstResource {

    @Inject
    EventFiringService service;

    @POST
    public String burst(@QueryParam("type") String type, @QueryParam("prefix") String prefix,
                        @QueryParam("count") int count, @QueryParam("aggregates") int aggregates,
                        @QueryParam("perTransaction") int perTransaction, @QueryParam("routingKey") String routingKey) {
        int committed = 0;
        while (committed < count) {
            int size = Math.min(perTransaction, count - committed);
            List<TestEvent> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int n = committed + i;
                batch.add(new TestEvent(type, prefix + "-" + (n % aggregates), routingKey, Map.of("n", n)));
            }
            service.fire(batch.toArray(TestEvent[]::new));
            committed += size;
        }
        return Integer.toString(committed);
    }
}
