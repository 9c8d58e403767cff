/**
 * What domain code uses to publish through the outbox: {@link live.edupulse.outbox.api.DomainEvent},
 * fired with CDI inside a JTA transaction, and the {@link live.edupulse.outbox.api.EventRecordingException}
 * it may get back. Domain code imports nothing else of the outbox.
 */
package live.edupulse.outbox.api;
