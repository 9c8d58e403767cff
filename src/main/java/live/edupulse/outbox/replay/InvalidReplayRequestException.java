package live.edupulse.outbox.replay;

import jakarta.ejb.ApplicationException;

/** A replay request with a field that is wrong: {@link #field()} names it. */
@ApplicationException
public class InvalidReplayRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidReplayRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
