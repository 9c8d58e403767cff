package live.edupulse.outbox.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import live.edupulse.outbox.dispatch.OutboxDispatcher;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive unless a drain is stuck far past its lease (see {@link OutboxDispatcher#isHung()}); idle or
 * broker-less is alive. Its data: the broker connection's state, and the dispatcher's id, which is
 * the {@code lease_owner} of the rows this instance leases.
 */
@Liveness
@ApplicationScoped
public class DispatcherLiveness implements HealthCheck {

    @Inject
    OutboxDispatcher dispatcher;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("outbox-dispatcher")
                .withData("broker", dispatcher.brokerState().name())
                .withData("dispatcher", dispatcher.owner().toString())
                .status(!dispatcher.isHung())
                .build();
    }
}
