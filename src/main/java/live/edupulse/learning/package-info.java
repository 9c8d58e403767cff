/**
 * EduPulse Live, the learning hub: pulses (questions a teacher opens to a class) and students'
 * submissions. The outbox's first user: it imports nothing of the outbox but
 * {@code live.edupulse.outbox.api}.
 */
package live.edupulse.learning;
