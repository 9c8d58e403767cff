package live.edupulse.outbox.dispatch;

/** The database refused or could not run a claim or settle; its transaction rolled back. */
public class OutboxStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OutboxStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
