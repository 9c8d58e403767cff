package live.edupulse.outbox.testing;

/** A payload Jackson cannot serialize: its only property throws. */
public class ExplodingPayload {

    public String getValue() {
        throw new IllegalStateException("this payload cannot be serialized");
    }
}
