package live.edupulse.outbox.replay;

import jakarta.ejb.ApplicationException;
import java.util.UUID;

/** No replay job has this id. */
@ApplicationException
public class ReplayNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ReplayNotFoundException(UUID id) {
        super("no replay " + id);
    }
}
