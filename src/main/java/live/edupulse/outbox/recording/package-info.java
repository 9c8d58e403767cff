/**
 * Recording: the synchronous CDI observer that writes each fired event as an outbox row in the
 * caller's transaction, the refusal of asynchronous firing, the schema migrations, and the JPA
 * mapping of the rows. Imports {@code outbox.api} and {@code outbox.config}.
 */
package live.edupulse.outbox.recording;
