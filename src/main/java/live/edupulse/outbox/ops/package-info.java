/**
 * Operations: MicroProfile Health checks, metrics served by the WAR, the cached backlog count and
 * retention. Imports the other outbox packages; nothing imports it.
 */
package live.edupulse.outbox.ops;
