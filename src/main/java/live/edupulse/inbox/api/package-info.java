/**
 * What consuming code uses: {@link live.edupulse.inbox.api.InboxConsumer} (a CDI bean that
 * declares a consumer) and {@link live.edupulse.inbox.api.DeliveredEvent} (what it receives).
 * Nothing else of the inbox is imported by domain code.
 */
package live.edupulse.inbox.api;
