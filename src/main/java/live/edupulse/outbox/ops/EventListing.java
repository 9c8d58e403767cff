package live.edupulse.outbox.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The admin listing's statement for a filter. Every status has a partial index ordered by
 * {@code seq} (V4, V6), so a page reads about {@code size} index entries of that status only:
 * with {@code after} (keyset: the {@code seq} of the previous page's last event) from where the
 * previous page stopped, otherwise from its offset, which the API caps at {@link #MAX_OFFSET}.
 *
 * @param sql        the statement, with {@code ?} placeholders
 * @param parameters their values, in order
 */
record EventListing(String sql, List<Object> parameters) {

    /** The deepest offset a page may start at; beyond it a client pages with {@code after}. */
    static final int MAX_OFFSET = 10_000;

    static final String COLUMNS = """
            SELECT id, aggregate_type, aggregate_id, aggregate_seq, event_type, occurred_at, attempts,
                   next_attempt_at, last_error, parked_at, discarded_at, discard_reason, discarded_by,
                   lease_until > now() AS leased, seq
              FROM outbox_event WHERE""";

    static EventListing of(OutboxAdministration.Filter filter) {
        StringBuilder sql = new StringBuilder(COLUMNS);
        List<Object> parameters = new ArrayList<>();
        // each condition is the predicate of the status's partial index, word for word
        switch (filter.status()) {
            case PENDING -> sql.append(" dispatched_at IS NULL AND parked_at IS NULL");
            case PARKED -> sql.append(" parked_at IS NOT NULL AND dispatched_at IS NULL");
            case DISCARDED -> sql.append(" discarded_at IS NOT NULL");
        }
        if (filter.aggregateType() != null) {
            sql.append(" AND aggregate_type = ?");
            parameters.add(filter.aggregateType());
        }
        if (filter.aggregateId() != null) {
            sql.append(" AND aggregate_id = ?");
            parameters.add(filter.aggregateId());
        }
        if (filter.eventType() != null) {
            sql.append(" AND event_type = ?");
            parameters.add(filter.eventType());
        }
        if (filter.minAgeSeconds() != null) {
            sql.append(" AND occurred_at <= now() - make_interval(secs => ?)");
            parameters.add((double) filter.minAgeSeconds());
        }
        if (filter.after() != null) {
            sql.append(" AND seq > ?");
            parameters.add(filter.after());
        }
        sql.append(" ORDER BY seq LIMIT ? OFFSET ?");
        parameters.add(filter.size() + 1);
        parameters.add(filter.after() != null ? 0L : (long) filter.page() * filter.size());
        return new EventListing(sql.toString(), List.copyOf(parameters));
    }
}
