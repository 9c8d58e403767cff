package live.edupulse.learning;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.UUID;
import live.edupulse.outbox.api.DomainEvent;

/**
 * The learning hub's use cases. Each public method is one transaction that changes the domain and
 * fires its event through the outbox: both commit, or neither does.
 *
 * <p>Concurrency: pulse changes are optimistic ({@code @Version}); a change that loses the race
 * fails with {@link jakarta.persistence.OptimisticLockException}. A submission holds a shared lock
 * on its pulse until it commits, and a close takes the write lock, so a close waits for submissions
 * in flight, and a submission that comes after a close sees it and is refused: none slips in after
 * the close.
 */
@ApplicationScoped
public class PulseService {

    @PersistenceContext(unitName = "edupulse")
    EntityManager entityManager;

    @Inject
    Event<DomainEvent> events;

    @Inject
    @LearningTime
    Clock clock;

    @Transactional
    public Pulse create(UUID authorId, String title) {
        Pulse pulse = new Pulse(UUID.randomUUID(), authorId, title, clock.instant());
        entityManager.persist(pulse);
        entityManager.flush();
        events.fire(new LearningPulseCreated(pulse.id(), pulse.authorId(), pulse.title(), pulse.version()));
        return pulse;
    }

    @Transactional
    public Pulse find(UUID pulseId) {
        Pulse pulse = entityManager.find(Pulse.class, pulseId);
        if (pulse == null) {
            throw new PulseNotFoundException(pulseId);
        }
        return pulse;
    }

    /** @throws PulseClosedException if the pulse is closed */
    @Transactional
    public Pulse retitle(UUID pulseId, String title) {
        Pulse pulse = find(pulseId);
        pulse.retitle(title);
        entityManager.flush();
        events.fire(new LearningPulseRetitled(pulse.id(), pulse.title(), pulse.version()));
        return pulse;
    }

    /**
     * Takes the pulse's write lock first, so the close waits for submissions in flight and its
     * time is after theirs.
     *
     * @throws PulseClosedException if the pulse is already closed
     */
    @Transactional
    public Pulse close(UUID pulseId) {
        Pulse pulse = entityManager.find(Pulse.class, pulseId, LockModeType.PESSIMISTIC_WRITE);
        if (pulse == null) {
            throw new PulseNotFoundException(pulseId);
        }
        pulse.close(clock.instant());
        entityManager.flush();
        events.fire(new LearningPulseClosed(pulse.id(), pulse.version()));
        return pulse;
    }

    /** @throws PulseClosedException if the pulse is closed, or closes before this commits */
    @Transactional
    public Submission submit(UUID pulseId, UUID studentId, String answer) {
        Pulse pulse = entityManager.find(Pulse.class, pulseId, LockModeType.PESSIMISTIC_READ);
        if (pulse == null) {
            throw new PulseNotFoundException(pulseId);
        }
        if (pulse.isClosed()) {
            throw new PulseClosedException(pulseId);
        }
        Submission submission = new Submission(UUID.randomUUID(), pulseId, studentId, answer, clock.instant());
        entityManager.persist(submission);
        events.fire(new SubmissionReceived(submission.id(), pulseId, studentId));
        return submission;
    }
}
