package live.edupulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table of the README's "Project layout", enforced: every class of
 * {@code src/main/java} may use, of the project's own packages, only its own and those the table
 * lets its package import. So domain code sees only {@code outbox.api} and {@code inbox.api}, the
 * outbox never sees the domain, and no arrow points back (the table has no cycle, checked too). A
 * new package fails this test until it is added here and to the table. The root package wires the
 * modules together (the exception mapper choosing each API's problems, the one schema migration of
 * all modules' folders), so it may use them, and no package may use it.
 */
class ArchitectureTest {

    private static final String ROOT = "live.edupulse";
    private static final Set<String> OUTBOX_BELOW_OPS = Set.of("outbox.api", "outbox.config", "outbox.recording",
            "outbox.broker", "outbox.tracing", "outbox.dispatch", "outbox.replay");

    /** Package (below {@code live.edupulse}, "" for the root) to the packages it may use. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            // the REST root, the exception mapper handing failures to each API's problems, the schema migration
            Map.entry("", Set.of("learning.web", "outbox.ops", "outbox.config")),
            Map.entry("outbox.api", Set.of()),
            Map.entry("outbox.config", Set.of()),
            Map.entry("outbox.recording", Set.of("outbox.api", "outbox.config", "outbox.tracing")),
            Map.entry("outbox.broker", Set.of("outbox.config")),
            Map.entry("outbox.tracing", Set.of("outbox.config", "outbox.broker")),
            Map.entry("outbox.dispatch", Set.of("outbox.api", "outbox.config", "outbox.broker", "outbox.recording",
                    "outbox.tracing")),
            Map.entry("outbox.replay", Set.of("outbox.config", "outbox.broker", "outbox.dispatch")),
            Map.entry("outbox.ops", union(OUTBOX_BELOW_OPS, Set.of("inbox", "inbox.api"))),
            Map.entry("inbox.api", Set.of()),
            Map.entry("inbox", Set.of("inbox.api", "outbox.config", "outbox.broker", "outbox.tracing", "outbox.replay")),
            Map.entry("learning", Set.of("outbox.api", "inbox.api")),
            Map.entry("learning.web", Set.of("learning")));

    /** An import, or a fully qualified name in the code, of one of the project's types. */
    private static final Pattern OWN_TYPE = Pattern.compile("\\blive\\.edupulse((?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    @Test
    void everyClassUsesOnlyThePackagesItsPackageMayImport() throws IOException {
        List<String> violations = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        Path sources = Path.of("src/main/java");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 50, "the main sources are found from the project's folder: " + files.size());
        for (Path file : files) {
            String own = packageOf(sources.relativize(file.getParent()));
            Set<String> allowed = ALLOWED.get(own);
            if (allowed == null) {
                unknown.add(own);
                continue;
            }
            Matcher used = OWN_TYPE.matcher(withoutComments(Files.readString(file)));
            while (used.find()) {
                String target = used.group(1).isEmpty() ? "" : used.group(1).substring(1);
                if (!target.equals(own) && !allowed.contains(target)) {
                    violations.add(sources.relativize(file) + " uses " + ROOT + (target.isEmpty() ? "" : "." + target)
                            + ", which package '" + own + "' may not import");
                }
            }
        }
        assertEquals(Set.of(), unknown, "packages missing from the architecture's table (README, Project layout)");
        assertEquals(List.of(), violations, "imports against the architecture's table (README, Project layout)");
    }

    @Test
    void thePackageTableHasNoCycle() {
        for (String start : ALLOWED.keySet()) {
            assertTrue(!reaches(start, start, new TreeSet<>()), "a cycle through '" + start + "'");
        }
    }

    private static boolean reaches(String from, String target, Set<String> seen) {
        for (String next : ALLOWED.getOrDefault(from, Set.of())) {
            if (next.equals(target) || (seen.add(next) && reaches(next, target, seen))) {
                return true;
            }
        }
        return false;
    }

    private static String packageOf(Path folder) {
        String dotted = folder.toString().replace(folder.getFileSystem().getSeparator(), ".");
        if (dotted.equals(ROOT)) {
            return "";
        }
        return dotted.startsWith(ROOT + ".") ? dotted.substring(ROOT.length() + 1) : dotted;
    }

    /** The source without its comments, so Javadoc that names another package's type is not a use. */
    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
