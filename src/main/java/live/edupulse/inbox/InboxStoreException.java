package live.edupulse.inbox;

/** The inbox's database could not do a step; the step changed nothing. */
public class InboxStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InboxStoreException(String what, Throwable cause) {
        super(what + " failed: " + cause.getMessage(), cause);
    }
}
