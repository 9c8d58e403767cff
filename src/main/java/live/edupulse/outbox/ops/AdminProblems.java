package live.edupulse.outbox.ops;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The outbox admin API's answer to a failure of one of its resources ({@link OutboxAdminResource},
 * {@link ReplayAdminResource}, {@link InboxAdminResource}), as {@code application/problem+json}:
 * an {@link AdminProblem} (or any other complete response) passes through as it is; the framework's
 * own refusals keep their status; a serialization failure or deadlock in the database is a 409
 * asking to retry. Anything else is a bug: 500, logged with its stack trace, and the body says
 * nothing about internals. The WAR's exception mapper ({@code live.edupulse.ProblemMapper}) calls
 * it for failures of this package's resources only.
 */
public final class AdminProblems {

    private static final Logger LOG = Logger.getLogger(AdminProblems.class.getName());

    /** Serialization failure and deadlock: the database gave up one of two racing transactions. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40001", "40P01");

    private AdminProblems() {
    }

    /** The {@code application/problem+json} response to {@code failure} of an admin resource. */
    public static Response toResponse(Throwable failure) {
        if (failure instanceof WebApplicationException web && web.getResponse().hasEntity()) {
            return web.getResponse(); // already a complete answer: an AdminProblem
        }
        return problemFor(failure).toResponse();
    }

    /** The problem {@code failure} (not a complete response) amounts to; logs it when it is a 500. */
    static AdminProblem.Body problemFor(Throwable failure) {
        if (failure instanceof WebApplicationException refused) {
            Response.StatusType status = refused.getResponse().getStatusInfo();
            String title = status.getReasonPhrase() == null ? "HTTP " + status.getStatusCode() : status.getReasonPhrase();
            return new AdminProblem.Body(status.getStatusCode(), title, refused.getMessage(), null);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
                return new AdminProblem.Body(409, "Conflict",
                        "the outbox was changed concurrently and the change was not made; retry", null);
            }
        }
        LOG.log(Level.SEVERE, "Unexpected failure in the outbox admin API", failure);
        return new AdminProblem.Body(500, "Internal server error",
                "an unexpected error occurred; it has been logged", null);
    }
}
