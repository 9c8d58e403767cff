/**
 * EduPulse Live, the learning hub: pulses (questions a teacher opens to a class) and students'
 * submissions, and their statistics projection. The outbox's first user and the inbox's first
 * consumer: it imports nothing of either but {@code live.edupulse.outbox.api} and
 * {@code live.edupulse.inbox.api}.
 */
package live.edupulse.learning;
