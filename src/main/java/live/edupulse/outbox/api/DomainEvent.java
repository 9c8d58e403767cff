package live.edupulse.outbox.api;

/**
 * A fact that happened to one aggregate, to be published to the message broker if and only if the
 * transaction that fires it commits.
 *
 * <p>A service fires it with plain CDI inside its JTA transaction:
 * <pre>{@code
 * @Inject Event<DomainEvent> events;
 * ...
 * events.fire(new LearningPulseCreated(pulse.id(), ...));
 * }</pre>
 * The event is recorded in the same transaction (the outbox), and delivered after the commit, at
 * least once, in {@link #aggregateId() per-aggregate} order. Firing it with no active transaction,
 * or with {@code fireAsync}, fails with {@link EventRecordingException} and records nothing.
 *
 * <p>Implementations are usually records named in the past tense. What consumers receive as the
 * message's {@code payload} is {@link #payload()} serialized to JSON once, at recording.
 */
public interface DomainEvent {

    /**
     * The kind of aggregate this event belongs to, e.g. {@code learning_pulse}. Together with
     * {@link #aggregateId()} it is the ordering key: events of one aggregate are delivered in the
     * order their transactions committed. Non-blank, at most 100 characters.
     */
    String aggregateType();

    /** The aggregate's identity within its type, e.g. a UUID as text. Non-blank, at most 200 characters. */
    String aggregateId();

    /**
     * The stable name consumers know this event by, e.g. {@code learning_pulse.created}: the AMQP
     * routing key and {@code type} property. It is part of the message contract, so it is a literal
     * string, never derived from a class name that a refactoring could change. Non-blank, at most
     * 200 characters, no whitespace.
     */
    String eventType();

    /**
     * The business content of the event, serialized to JSON with Jackson at recording. Defaults to
     * the event itself, which for a record means its components.
     */
    default Object payload() {
        return this;
    }
}
