package live.edupulse.outbox.config;

import java.time.Duration;

/**
 * How the outbox treats its database when it is slow or away.
 *
 * @param statementTimeout   longest a statement of the dispatcher's own transactions (claim, settle)
 *                           may run, and longest it may wait for a lock ({@code SET LOCAL
 *                           statement_timeout} and {@code lock_timeout})
 * @param schemaConnectRetry how long the schema migration at deploy keeps retrying a database it
 *                           cannot reach before the deployment fails
 */
public record DatabaseSettings(Duration statementTimeout, Duration schemaConnectRetry) {
}
