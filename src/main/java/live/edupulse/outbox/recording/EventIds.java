package live.edupulse.outbox.recording;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Event ids: version-7 UUIDs (RFC 9562), a millisecond timestamp followed by random bits, so new
 * ids land at the right-hand edge of the primary-key index instead of all over it.
 */
public final class EventIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {
    }

    public static UUID next() {
        return fromParts(System.currentTimeMillis(), RANDOM.nextLong(), RANDOM.nextLong());
    }

    static UUID fromParts(long epochMillis, long randA, long randB) {
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16
                | 0x7000L
                | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
