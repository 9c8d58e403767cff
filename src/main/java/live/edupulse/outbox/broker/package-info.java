/**
 * The broker side: one RabbitMQ connection with automatic recovery, confirm-mode publishing with
 * per-channel confirm tracking, returns, and blocked-connection handling. Knows nothing of the
 * database. Imports {@code outbox.config} only.
 */
package live.edupulse.outbox.broker;
