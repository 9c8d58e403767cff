package live.edupulse.outbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads of a server's log. */
public final class ServerLogs {

    private ServerLogs() {
    }

    /** What the log gained after it was {@code offset} bytes long (all of it, if it was rotated meanwhile). */
    public static String since(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = offset <= all.length ? (int) offset : 0;
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
}
