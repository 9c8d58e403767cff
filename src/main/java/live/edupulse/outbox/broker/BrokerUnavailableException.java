package live.edupulse.outbox.broker;

/** The broker cannot be reached or refused the connection; nothing was published. */
public class BrokerUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
