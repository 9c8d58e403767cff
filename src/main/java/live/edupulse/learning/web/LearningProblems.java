package live.edupulse.learning.web;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PessimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.learning.PulseClosedException;
import live.edupulse.learning.PulseNotFoundException;

/**
 * The learning API's answer to a failure of one of its resources, as a {@link Problem}: refused
 * input 400, unknown pulse 404, a closed pulse or a lost concurrency race 409, the framework's own
 * refusals with their status. Anything else is a bug: 500, logged with its stack trace, and the
 * body says nothing about internals. The WAR's exception mapper ({@code live.edupulse.ProblemMapper})
 * calls it for failures of this package's resources only.
 */
public final class LearningProblems {

    private static final Logger LOG = Logger.getLogger(LearningProblems.class.getName());

    /** Serialization failure and deadlock: the database gave up one of two racing transactions. */
    private static final Set<String> RETRYABLE_SQL_STATES = Set.of("40001", "40P01");

    private LearningProblems() {
    }

    /** The {@code application/problem+json} response to {@code failure} of a learning resource. */
    public static Response toResponse(Throwable failure) {
        return problemFor(failure).toResponse();
    }

    /** The problem {@code failure} amounts to; logs it when it is unexpected (a 500). */
    static Problem problemFor(Throwable failure) {
        if (failure instanceof ProblemException refused) {
            return refused.problem();
        }
        if (failure instanceof WebApplicationException refused) {
            return Problem.refusal(refused);
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
        return Problem.unexpected();
    }
}
