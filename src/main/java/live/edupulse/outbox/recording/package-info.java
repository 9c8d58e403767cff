/**
 * Recording: the synchronous CDI observer that writes each fired event as an outbox row in the
 * caller's transaction, the refusal of asynchronous firing, and the JPA mapping of the rows. (The
 * outbox's SQL migrations are in {@code db/migration/outbox}, applied by the root package's
 * {@code SchemaMigration}.) Imports {@code outbox.api}, {@code outbox.config} and {@code outbox.tracing}.
 */
package live.edupulse.outbox.recording;
