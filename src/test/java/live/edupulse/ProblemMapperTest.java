package live.edupulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import live.edupulse.ProblemMapper.Api;
import live.edupulse.learning.web.Problem;
import live.edupulse.learning.web.PulseResource;
import live.edupulse.outbox.ops.InboxAdminResource;
import live.edupulse.outbox.ops.OutboxAdminResource;
import live.edupulse.outbox.ops.ReplayAdminResource;
import org.junit.jupiter.api.Test;

/** The WAR's one exception mapper hands a failure to the API whose resource failed. */
class ProblemMapperTest {

    @Test
    void aLearningResourceFailureIsTheLearningApis() {
        assertEquals(Api.LEARNING, Api.of(matched(PulseResource.class)));
    }

    @Test
    void anAdminResourceFailureIsTheAdminApis() {
        for (Class<?> resource : new Class<?>[] {OutboxAdminResource.class, ReplayAdminResource.class,
                InboxAdminResource.class}) {
            assertEquals(Api.OUTBOX_ADMIN, Api.of(matched(resource)), resource.getSimpleName());
        }
    }

    @Test
    void noMatchedResourceOrOneOfNoApiGetsTheNeutralAnswer() {
        assertEquals(Api.NONE, Api.of(matched(null)), "unknown path, wrong method or media type");
        assertEquals(Api.NONE, Api.of(null), "no resource information at all");
        assertEquals(Api.NONE, Api.of(matched(RestApi.class)), "a class of neither API");
    }

    @Test
    void theNeutralAnswerToAnUnexpectedFailureIs500RevealingNothing() {
        Problem problem = ProblemMapper.neutral(new IllegalStateException("outbox_secret"));
        assertEquals(500, problem.status());
        assertFalse(problem.detail().contains("outbox_secret"), problem.detail());
    }

    /** What JAX-RS tells a provider about the request's matched resource ({@code null}: none matched). */
    private static ResourceInfo matched(Class<?> resourceClass) {
        return new ResourceInfo() {
            @Override
            public Method getResourceMethod() {
                return null;
            }

            @Override
            public Class<?> getResourceClass() {
                return resourceClass;
            }
        };
    }
}
