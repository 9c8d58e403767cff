/**
 * The transactional inbox: one durable quorum queue and listener per
 * {@link live.edupulse.inbox.api.InboxConsumer}, the inbox tables, the order and duplicate rules,
 * retries, parking and retention, and the operators' view. Imports {@code inbox.api},
 * {@code outbox.config} (the shared configuration and broker settings) and {@code outbox.broker}
 * (connection factories); nothing in {@code outbox} imports it.
 */
package live.edupulse.inbox;
