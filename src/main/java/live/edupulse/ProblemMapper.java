package live.edupulse;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import live.edupulse.learning.web.LearningProblems;
import live.edupulse.learning.web.Problem;
import live.edupulse.outbox.ops.AdminProblems;

/**
 * The WAR's only exception mapper. JAX-RS cannot scope a mapper to some resources, so this one
 * hands each failure to the error mapping of the API whose resource failed, chosen by the matched
 * resource's package: the learning API's ({@link LearningProblems}) or the outbox admin API's
 * ({@link AdminProblems}). A request that matched no resource (unknown path, wrong method or media
 * type) gets a neutral problem with the framework's status. Every answer is
 * {@code application/problem+json}.
 */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

    /** The failed request's matched resource; its class is {@code null} when none matched. */
    @Context
    ResourceInfo matched;

    @Override
    public Response toResponse(Throwable failure) {
        return switch (Api.of(matched)) {
            case LEARNING -> LearningProblems.toResponse(failure);
            case OUTBOX_ADMIN -> AdminProblems.toResponse(failure);
            case NONE -> neutral(failure).toResponse();
        };
    }

    /** The answer when no API's resource failed: the framework's refusal, or a logged 500. */
    static Problem neutral(Throwable failure) {
        if (failure instanceof WebApplicationException refused) {
            return Problem.refusal(refused);
        }
        LOG.log(Level.SEVERE, "Unexpected failure outside the APIs' resources", failure);
        return Problem.unexpected();
    }

    /** The API whose error mapping answers for a failure. */
    enum Api {
        LEARNING, OUTBOX_ADMIN, NONE;

        /** The API whose package holds the matched resource class; NONE when nothing matched. */
        static Api of(ResourceInfo matched) {
            Class<?> resource = matched == null ? null : matched.getResourceClass();
            String api = resource == null ? "" : resource.getPackageName();
            if (api.equals(LearningProblems.class.getPackageName())) {
                return LEARNING;
            }
            return api.equals(AdminProblems.class.getPackageName()) ? OUTBOX_ADMIN : NONE;
        }
    }
}
