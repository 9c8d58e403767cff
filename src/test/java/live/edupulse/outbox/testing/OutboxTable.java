package live.edupulse.outbox.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads of the outbox rows of one test (an aggregate type, optionally some of its aggregates),
 * straight from the database (never through a proxy).
 */
public final class OutboxTable {

    private final String aggregateType;
    private final String[] aggregateIds;

    public OutboxTable(String aggregateType) {
        this(aggregateType, null);
    }

    private OutboxTable(String aggregateType, String[] aggregateIds) {
        this.aggregateType = aggregateType;
        this.aggregateIds = aggregateIds;
    }

    /** Only these aggregates of the type. */
    public static OutboxTable of(String aggregateType, java.util.Collection<String> aggregateIds) {
        return new OutboxTable(aggregateType, aggregateIds.toArray(String[]::new));
    }

    private String scope() {
        return aggregateIds == null ? "aggregate_type = ? AND ?::text[] IS NULL" : "aggregate_type = ? AND aggregate_id = ANY(?::text[])";
    }

    private void bind(PreparedStatement query) throws SQLException {
        query.setString(1, aggregateType);
        if (aggregateIds == null) {
            query.setNull(2, java.sql.Types.ARRAY);
        } else {
            query.setArray(2, query.getConnection().createArrayOf("text", aggregateIds));
        }
    }

    public Set<String> ids() throws SQLException {
        return strings("SELECT id::text FROM outbox_event WHERE " + scope());
    }

    /** Events leased right now (claimed and not yet settled). */
    public Set<String> leased() throws SQLException {
        return strings("SELECT id::text FROM outbox_event WHERE " + scope() + " AND lease_token IS NOT NULL AND dispatched_at IS NULL");
    }

    /** Events leased right now by one dispatcher. */
    public Set<String> leasedBy(String owner) throws SQLException {
        return leaseEndsBy(owner).keySet();
    }

    /** When each event one dispatcher leases right now has its lease end (the database's clock), by id. */
    public Map<String, Instant> leaseEndsBy(String owner) throws SQLException {
        return instants("lease_until", "lease_owner = '" + java.util.UUID.fromString(owner) + "'::uuid AND dispatched_at IS NULL");
    }

    /** When each of these events was marked dispatched (the database's clock), by id; pending ones are left out. */
    public Map<String, Instant> dispatchedAt(Set<String> ids) throws SQLException {
        String list = ids.stream().map(id -> "'" + java.util.UUID.fromString(id) + "'").collect(java.util.stream.Collectors.joining(","));
        return ids.isEmpty() ? Map.of() : instants("dispatched_at", "id IN (" + list + ") AND dispatched_at IS NOT NULL");
    }

    private Map<String, Instant> instants(String column, String condition) throws SQLException {
        Map<String, Instant> instants = new HashMap<>();
        try (Connection connection = Database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT id::text, " + column + " FROM outbox_event WHERE " + scope() + " AND " + condition)) {
            bind(query);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timestamp at = rows.getTimestamp(2);
                    instants.put(rows.getString(1), at.toInstant());
                }
            }
        }
        return instants;
    }

    public Map<String, Integer> eventsPerAggregate() throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection connection = Database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT aggregate_id, count(*) FROM outbox_event WHERE " + scope() + " GROUP BY aggregate_id")) {
            bind(query);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return counts;
    }

    public long count(String condition) throws SQLException {
        try (Connection connection = Database.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM outbox_event WHERE " + scope() + " AND " + condition)) {
            bind(query);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private Set<String> strings(String sql) throws SQLException {
        Set<String> values = new HashSet<>();
        try (Connection connection = Database.connect(); PreparedStatement query = connection.prepareStatement(sql)) {
            bind(query);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }
}
