package live.edupulse.learning;

import jakarta.ejb.ApplicationException;
import java.util.UUID;

/** No pulse has this id. Rolls the transaction back. */
@ApplicationException(rollback = true)
public class PulseNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PulseNotFoundException(UUID pulseId) {
        super("No pulse " + pulseId);
    }
}
