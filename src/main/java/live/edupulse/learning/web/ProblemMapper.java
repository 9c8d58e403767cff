package live.edupulse.learning.web;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PessimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.learning.PulseClosedException;
import live.edupulse.learning.PulseNotFoundException;

/**
 * Every failure of the API as {@code application/problem+json}: refused input 400, unknown pulse
 * 404, a closed pulse or a lost concurrency race 409, the framework's own refusals (unknown path,
 * wrong method or media type) with their status. Anything else is a bug: 500, logged with its
 * stack trace, and the body says nothing about internals. JAX-RS providers serve the whole WAR,
 * so this also answers for the outbox admin API, whose refusals arrive as complete responses.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

    /** Serialization failure and deadlock: the database gave up one of two racing transactions. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40001", "40P01");

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof WebApplicationException web && web.getResponse().hasEntity()) {
            return web.getResponse(); // already a complete answer (the admin API's problems)
        }
        return problemFor(failure).toResponse();
    }

    private Problem problemFor(Throwable failure) {
        if (failure instanceof ProblemException refused) {
            return refused.problem();
        }
        if (failure instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            return new Problem(status, Response.Status.fromStatusCode(status) == null ? "HTTP " + status
                    : Response.Status.fromStatusCode(status).getReasonPhrase(), web.getMessage(), null);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PulseNotFoundException notFound) {
                return new Problem(404, "Not found", notFound.getMessage(), "id");
            }
            if (cause instanceof PulseClosedException closed) {
                return new Problem(409, "Conflict", closed.getMessage(), null);
            }
            if (cause instanceof OptimisticLockException || cause instanceof PessimisticLockException
                    || cause instanceof LockTimeoutException
                    || cause instanceof SQLException sql && RETRYABLE_SQL_STATES.contains(sql.getSQLState())) {
                return new Problem(409, "Conflict",
                        "the pulse was changed by a concurrent request; read it again and retry", null);
            }
        }
        LOG.log(Level.SEVERE, "Unexpected failure in the learning API", failure);
        return new Problem(500, "Internal server error", "an unexpected error occurred; it has been logged", null);
    }
}
