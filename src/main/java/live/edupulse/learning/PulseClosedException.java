package live.edupulse.learning;

import jakarta.ejb.ApplicationException;
import java.util.UUID;

/** The pulse is closed: it cannot be closed again, retitled, or take submissions. Rolls the transaction back. */
@ApplicationException(rollback = true)
public class PulseClosedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PulseClosedException(UUID pulseId) {
        super("Pulse " + pulseId + " is closed");
    }
}
