/**
 * Dispatch: the timer singleton and its after-commit nudge, claim and settle (short transactions
 * fenced by lease tokens), the settlement rules and the retry policy. Imports {@code outbox.api},
 * {@code outbox.config} and {@code outbox.broker}; the recording package only through the table.
 */
package live.edupulse.outbox.dispatch;
