/**
 * Replay: retained outbox rows (dispatched, not discarded) of chosen event types published again,
 * with their original message ids, to one consumer's queue through the default exchange, as a
 * throttled, resumable job ({@link live.edupulse.outbox.replay.Replays}). An inbox consumer drops
 * what it has already applied.
 */
package live.edupulse.outbox.replay;
