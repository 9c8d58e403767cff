package live.edupulse.outbox.dispatch;

/**
 * The database refused or could not run one of the {@link OutboxStore}'s statements: nothing of it
 * took effect (the step's transaction, or the single autocommitted statement, rolled back). The
 * cause is the database's {@link java.sql.SQLException}.
 */
public class OutboxStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OutboxStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
