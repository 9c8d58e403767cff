package live.edupulse.outbox.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheRfcVariant() {
        UUID id = EventIds.next();
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
    }

    @Test
    void laterMillisecondsSortAfterEarlierOnes() {
        UUID earlier = EventIds.fromParts(1_000, -1L, -1L);
        UUID later = EventIds.fromParts(1_001, 0L, 0L);
        assertTrue(earlier.toString().compareTo(later.toString()) < 0);
        assertEquals(1_000L, earlier.getMostSignificantBits() >>> 16);
    }
}
