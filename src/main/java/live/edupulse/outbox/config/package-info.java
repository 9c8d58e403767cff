/**
 * The outbox's configuration: read from MicroProfile Config once at start, validated as a whole,
 * handed to the other outbox packages as immutable records. Imports nothing else of ours.
 */
package live.edupulse.outbox.config;
