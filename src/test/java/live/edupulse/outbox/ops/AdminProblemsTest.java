package live.edupulse.outbox.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The outbox admin API's problems, without a server: a failure of an admin resource is answered
 * in the admin API's own words, never in the learning API's.
 */
class AdminProblemsTest {

    @Test
    void aSerializationFailureOrDeadlockIs409AskingToRetryAndSaysNothingOfPulses() {
        for (String state : new String[] {"40001", "40P01"}) {
            AdminProblem.Body problem = AdminProblems.problemFor(
                    new IllegalStateException("update failed", new SQLException("could not serialize access", state)));
            assertEquals(409, problem.status(), state);
            assertTrue(problem.detail().contains("retry"), problem.detail());
            assertFalse((problem.title() + problem.detail()).toLowerCase().contains("pulse"), problem.detail());
        }
    }

    @Test
    void anyOtherFailureIs500AndTheBodyRevealsNoInternals() {
        for (Throwable failure : new Throwable[] {
                new RuntimeException(new SQLException("relation outbox_secret does not exist", "42P01")),
                new IllegalStateException("outbox_secret")}) {
            AdminProblem.Body problem = AdminProblems.problemFor(failure);
            assertEquals(500, problem.status(), failure.toString());
            assertFalse((problem.title() + problem.detail()).contains("outbox_secret"), problem.detail());
            assertFalse(problem.detail().toLowerCase().contains("pulse"), problem.detail());
        }
    }
}
