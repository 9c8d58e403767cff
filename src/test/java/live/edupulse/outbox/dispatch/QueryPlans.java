package live.edupulse.outbox.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reading {@code EXPLAIN (ANALYZE, FORMAT JSON)} output of the dispatcher's statements. */
final class QueryPlans {

    private static final ObjectMapper JSON = new ObjectMapper();

    private QueryPlans() {
    }

    /** Runs {@code EXPLAIN (ANALYZE, FORMAT JSON)} of {@code statement} on {@code connection}; returns the whole explained object. */
    static JsonNode explainAnalyze(Connection connection, String statement) throws SQLException {
        try (Statement sql = connection.createStatement();
             ResultSet result = sql.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + statement)) {
            result.next();
            try {
                return JSON.readTree(result.getString(1)).get(0);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Rows produced by every scan of outbox_event and every node that re-reads them (materialize,
     * sort, hash), and the rows a scan read and dropped by its filter (an index scan that reads the
     * whole backlog to return one row shows only there), all loops.
     */
    static long rowsReadFromOutbox(JsonNode plan) {
        return nodes(plan).stream()
                .filter(node -> readsOutbox(node) && node.path("Node Type").asText().contains("Scan")
                        || List.of("Materialize", "Sort", "Hash").contains(node.path("Node Type").asText()))
                .mapToLong(node -> (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                        * node.path("Actual Loops").asLong())
                .sum();
    }

    static boolean readsOutbox(JsonNode node) {
        return "outbox_event".equals(node.path("Relation Name").asText());
    }

    /** The plan node and all nodes below it. */
    static List<JsonNode> nodes(JsonNode node) {
        List<JsonNode> all = new ArrayList<>(List.of(node));
        for (JsonNode child : node.path("Plans")) {
            all.addAll(nodes(child));
        }
        return all;
    }

    /** Turns JDBC's {@code ?} placeholders into {@code $1, $2, ...} for a server-side PREPARE. */
    static String numberedParameters(String jdbcSql) {
        StringBuilder numbered = new StringBuilder();
        int parameter = 0;
        for (char c : jdbcSql.toCharArray()) {
            if (c == '?') {
                numbered.append('$').append(++parameter);
            } else {
                numbered.append(c);
            }
        }
        return numbered.toString();
    }
}
