package live.edupulse.outbox.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import live.edupulse.outbox.dispatch.OutboxDispatcher;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the database answers: that is what the business API needs. The broker and the
 * backlog are reported as data only: while the broker is away, services keep recording and the
 * instance must stay in the load balancer. Backlog figures are the cached ones (no count per probe).
 * The data are state words, counts and fixed reasons only: health is served without
 * authentication (on Liberty on the application port), so no exception text, host or port.
 */
@Readiness
@ApplicationScoped
public class OutboxReadiness implements HealthCheck {

    @Inject
    BacklogMonitor backlogMonitor;

    @Inject
    OutboxDispatcher dispatcher;

    @Override
    public HealthCheckResponse call() {
        Backlog backlog = backlogMonitor.backlog();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("outbox-database")
                .withData("broker", dispatcher.brokerState().name())
                .withData("pending", backlog.pending())
                .withData("parked", backlog.parked())
                .withData("oldestPendingAgeSeconds", Math.round(backlog.oldestPendingAgeSeconds()));
        if (dispatcher.pauseReason() != null) {
            // a fixed reason: the failure's own text (in the server log) may name hosts, ports or worse
            response.withData("dispatchPausedBecause", "broker or database failure; the server log says which");
        }
        return backlogMonitor.databaseProblem() == null ? response.up().build()
                : response.withData("database", "UNAVAILABLE").down().build();
    }
}
