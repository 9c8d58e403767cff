package live.edupulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every table the application writes with SQL has one owner: the only class of
 * {@code src/main/java} whose statements insert, update or delete its rows. A row's state machine
 * (pending, leased, dispatched, parked, discarded; held, applied, parked, skipped) can then be
 * read in one file, and an operator's command cannot bypass a fence the dispatcher relies on.
 * Tables written through JPA (the outbox event's insert, pulses and submissions) and by triggers
 * ({@code outbox_aggregate}) do not appear in SQL text and are not listed. The scan knows
 * {@code INSERT}, {@code UPDATE} and {@code DELETE}, the only writes the application issues; a
 * {@code MERGE} or {@code TRUNCATE} would need adding here.
 */
class RowOwnershipTest {

    private static final Map<String, String> OWNER = Map.of(
            "outbox_event", "live/edupulse/outbox/dispatch/OutboxStore.java",
            "outbox_control", "live/edupulse/outbox/dispatch/OutboxStore.java",
            "outbox_replay", "live/edupulse/outbox/replay/ReplayStore.java",
            "inbox_message", "live/edupulse/inbox/InboxStore.java",
            "inbox_aggregate", "live/edupulse/inbox/InboxStore.java",
            "inbox_applied", "live/edupulse/inbox/InboxStore.java",
            "learning_pulse_stats", "live/edupulse/learning/PulseStatisticsProjection.java",
            "learning_pulse_student", "live/edupulse/learning/PulseStatisticsProjection.java");

    /** A statement's target table; {@code FOR UPDATE} (a lock) and {@code DO UPDATE SET} (an upsert's second half) are not. */
    private static final Pattern WRITE = Pattern.compile(
            "(?<!\\bFOR\\s)(?<!\\bDO\\s)\\b(?:UPDATE|INSERT\\s+INTO|DELETE\\s+FROM)\\s+([a-z_][a-z0-9_]*)",
            Pattern.CASE_INSENSITIVE);

    @Test
    void onlyEachTablesOwnerChangesItsRows() throws IOException {
        Path sources = Path.of("src/main/java");
        Set<String> violations = new TreeSet<>();
        int writes = 0;
        try (Stream<Path> walk = Files.walk(sources)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = sources.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                Matcher write = WRITE.matcher(Files.readString(file));
                while (write.find()) {
                    writes++;
                    String table = write.group(1).toLowerCase();
                    if (!name.equals(OWNER.get(table))) {
                        violations.add(name + " writes " + table + " (owner: " + OWNER.getOrDefault(table, "none listed")
                                + ")");
                    }
                }
            }
        }
        assertTrue(writes >= 15, "the statements are found from the project's folder: " + writes);
        assertEquals(Set.of(), violations, "row changes outside their table's owner");
    }
}
