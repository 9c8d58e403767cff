package live.edupulse.outbox.dispatch;

/** An aggregate's ordering key; also the claim's round-robin cursor. */
public record AggregateKey(String type, String id) {

    /** Before every aggregate (aggregate types and ids are never empty). */
    public static final AggregateKey START = new AggregateKey("", "");

    static AggregateKey of(ClaimedEvent event) {
        return new AggregateKey(event.aggregateType(), event.aggregateId());
    }
}
