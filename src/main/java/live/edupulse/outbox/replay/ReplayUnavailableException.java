package live.edupulse.outbox.replay;

import jakarta.ejb.ApplicationException;

/** The replay cannot check or serve a request now (the broker is unreachable); trying again later may work. */
@ApplicationException
public class ReplayUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReplayUnavailableException(String message) {
        super(message);
    }
}
