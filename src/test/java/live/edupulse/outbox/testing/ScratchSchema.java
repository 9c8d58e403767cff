package live.edupulse.outbox.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A schema of the test database built from the application's own migrations, for tests of its
 * statements outside any server: every module's folder below {@code db/migration}, in version order
 * (V10 after V9, as Flyway applies them).
 */
public final class ScratchSchema {

    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    private ScratchSchema() {
    }

    /** Drops {@code schema} if it exists, creates it and migrates it; leaves {@code sql}'s search path on it. */
    public static void create(Statement sql, String schema) throws SQLException {
        sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        sql.execute("CREATE SCHEMA " + schema);
        sql.execute("SET search_path = " + schema);
        for (Path migration : migrations()) {
            try {
                sql.execute(Files.readString(migration));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static void drop(String schema) throws SQLException {
        try (Connection connection = Database.connect(); Statement sql = connection.createStatement()) {
            sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static List<Path> migrations() {
        try (Stream<Path> files = Files.walk(MIGRATIONS)) {
            return files.filter(file -> file.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparingInt(ScratchSchema::version))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int version(Path migration) {
        String name = migration.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }
}
