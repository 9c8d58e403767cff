package live.edupulse.bench;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import live.edupulse.inbox.api.DeliveredEvent;
import live.edupulse.inbox.api.InboxConsumer;

/**
 * The benchmark's trivial handler (only in the benchmark's WAR): takes {@code bench.noop.#} and
 * does nothing, so what the benchmark times is the inbox itself (receive, deduplicate, order,
 * record, acknowledge).
 */
@ApplicationScoped
public class NoOpInboxConsumer implements InboxConsumer {

    static final String NAME = "bench-noop";
    static final String ROUTING_KEY = "bench.noop.event";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> eventTypes() {
        return List.of("bench.noop.#");
    }

    @Override
    public void apply(DeliveredEvent event) {
        // nothing: the inbox's own cost is what is measured
    }
}
