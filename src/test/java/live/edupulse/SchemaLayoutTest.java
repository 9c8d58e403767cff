package live.edupulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layout of the SQL migrations: one folder per module below {@code db/migration}, each a Flyway
 * location of {@link SchemaMigration} with its marker file, versions unique across the folders,
 * and each module's files touching only that module's tables, but for the exceptions listed here.
 */
class SchemaLayoutTest {

    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final Pattern MIGRATION_NAME = Pattern.compile("V(\\d+)__\\w+\\.sql");

    /** Module folder to the prefix of every table (and index, trigger, function) its migrations name. */
    private static final Map<String, String> PREFIX = Map.of("outbox", "outbox_", "learning", "learning_",
            "inbox", "inbox_");

    /**
     * Migrations that name another module's tables, and which. V7 created the inbox together with
     * the learning module's statistics projection, which is fed only through the inbox; it stays
     * whole with the inbox, which owns most of it (an applied migration never changes).
     */
    private static final Map<String, Set<String>> CROSSING = Map.of(
            "inbox/V7__inbox.sql", Set.of("learning_pulse_stats", "learning_pulse_student"));

    /** A name the SQL creates, alters, fills, references, indexes or triggers on (keywords upper case, names lower). */
    private static final Pattern NAMED = Pattern.compile(
            "\\b(?:TABLE|INTO|REFERENCES|INDEX|ON|FUNCTION|TRIGGER|CONSTRAINT)\\s+([a-z_][a-z0-9_]*)");

    @Test
    void everyModuleFolderIsALocationOfTheMigrationWithItsMarker() throws IOException {
        Set<String> folders = new TreeSet<>();
        try (Stream<Path> entries = Files.list(MIGRATIONS)) {
            for (Path entry : entries.toList()) {
                assertTrue(Files.isDirectory(entry), entry + ": migrations live in a module's folder, which Flyway is given");
                folders.add(entry.getFileName().toString());
            }
        }
        assertEquals(new TreeSet<>(SchemaMigration.MODULES), folders, "the module folders are the bean's locations");
        assertEquals(folders, new TreeSet<>(PREFIX.keySet()), "each module's tables are known to this test");
        for (String module : folders) {
            assertTrue(Files.isRegularFile(MIGRATIONS.resolve(module).resolve("flyway.location")),
                    module + " has the marker file Open Liberty's Flyway needs to find the folder");
        }
    }

    @Test
    void versionsAreUniqueAcrossTheModules() throws IOException {
        Map<Integer, String> byVersion = new TreeMap<>();
        for (Path migration : migrations()) {
            Matcher name = MIGRATION_NAME.matcher(migration.getFileName().toString());
            assertTrue(name.matches(), migration + " is named V<version>__<description>.sql");
            String earlier = byVersion.put(Integer.parseInt(name.group(1)), relative(migration));
            assertEquals(null, earlier, "version " + name.group(1) + " of " + relative(migration) + " is taken");
        }
        assertTrue(byVersion.size() >= 10, "the migrations are found: " + byVersion);
    }

    @Test
    void eachModulesMigrationsNameOnlyItsOwnTablesButForTheListedExceptions() throws IOException {
        List<String> foreign = new ArrayList<>();
        Set<String> exceptionsSeen = new TreeSet<>();
        for (Path migration : migrations()) {
            String file = relative(migration);
            String prefix = PREFIX.get(migration.getParent().getFileName().toString());
            String sql = Files.readString(migration).replaceAll("(?m)--.*$", "");
            Matcher named = NAMED.matcher(sql);
            Set<String> names = new TreeSet<>();
            while (named.find()) {
                names.add(named.group(1));
            }
            assertFalse(names.isEmpty(), file + " names something");
            for (String name : names) {
                if (name.startsWith(prefix)) {
                    continue;
                }
                if (CROSSING.getOrDefault(file, Set.of()).contains(name)) {
                    exceptionsSeen.add(file + " " + name);
                } else {
                    foreign.add(file + " names " + name);
                }
            }
        }
        assertEquals(List.of(), foreign, "a migration belongs in the folder of the module whose tables it touches");
        assertEquals(CROSSING.entrySet().stream().flatMap(e -> e.getValue().stream().map(t -> e.getKey() + " " + t))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)), exceptionsSeen,
                "every listed exception is still true");
    }

    private static List<Path> migrations() throws IOException {
        try (Stream<Path> files = Files.walk(MIGRATIONS)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("flyway.location"))
                    .sorted().toList();
        }
    }

    private static String relative(Path migration) {
        return MIGRATIONS.relativize(migration).toString().replace(migration.getFileSystem().getSeparator(), "/");
    }
}
