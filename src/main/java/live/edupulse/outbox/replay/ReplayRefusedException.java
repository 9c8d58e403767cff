package live.edupulse.outbox.replay;

import jakarta.ejb.ApplicationException;

/**
 * A valid replay request that cannot be served: the range starts before the retained history, a
 * job for the queue is already running, the queue does not exist, or the job to cancel is not
 * running. {@link #title()} is a short summary, the message the detail.
 */
@ApplicationException
public class ReplayRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String title;
    private final String field;

    ReplayRefusedException(String title, String detail, String field) {
        super(detail);
        this.title = title;
        this.field = field;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }
}
