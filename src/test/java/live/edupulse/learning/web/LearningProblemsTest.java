package live.edupulse.learning.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.OptimisticLockException;
import java.sql.SQLException;
import java.util.UUID;
import live.edupulse.learning.PulseClosedException;
import live.edupulse.learning.PulseNotFoundException;
import org.junit.jupiter.api.Test;

/** The learning API's problems, without a server: what each failure of its resources answers. */
class LearningProblemsTest {

    @Test
    void aRefusedRequestKeepsItsProblem() {
        Problem refused = Problem.invalidField("title", "title is required");
        assertSame(refused, LearningProblems.problemFor(new ProblemException(refused)));
    }

    @Test
    void anUnknownPulseIs404NamingTheId() {
        Problem problem = LearningProblems.problemFor(new IllegalStateException(new PulseNotFoundException(UUID.randomUUID())));
        assertEquals(404, problem.status());
        assertEquals("id", problem.field());
    }

    @Test
    void aClosedPulseIs409() {
        assertEquals(409, LearningProblems.problemFor(new PulseClosedException(UUID.randomUUID())).status());
    }

    @Test
    void aLostRaceIs409AskingToReadThePulseAgain() {
        for (Throwable race : new Throwable[] {new OptimisticLockException("stale version"),
                new RuntimeException(new SQLException("could not serialize access", "40001")),
                new RuntimeException(new SQLException("deadlock detected", "40P01"))}) {
            Problem problem = LearningProblems.problemFor(race);
            assertEquals(409, problem.status(), race.toString());
            assertTrue(problem.detail().contains("pulse was changed by a concurrent request"), problem.detail());
        }
    }

    @Test
    void anythingElseIs500AndTheBodyRevealsNoInternals() {
        Problem problem = LearningProblems.problemFor(
                new RuntimeException(new SQLException("relation learning_pulse does not exist", "42P01")));
        assertEquals(500, problem.status());
        assertFalse(problem.detail().contains("learning_pulse"), problem.detail());
    }
}
