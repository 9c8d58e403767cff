package live.edupulse.outbox.testing;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples of a server's metrics, read from the Prometheus text the application serves at {@code metrics}. */
public final class ServerMetrics {

    private ServerMetrics() {
    }

    /**
     * The value of the first sample of {@code name} whose label set contains {@code label} (such as
     * {@code consumer="test-recorder"}; empty for any sample, labelled or not), or empty when the
     * server shows none (a counter appears once it is registered).
     */
    public static OptionalDouble sample(Http server, String name, String label) {
        String text = server.get("metrics").body();
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        while (sample.find()) {
            String labels = sample.group(1) == null ? "" : sample.group(1);
            if (labels.contains(label)) {
                return OptionalDouble.of(Double.parseDouble(sample.group(2)));
            }
        }
        return OptionalDouble.empty();
    }

    /** The value of {@code name}'s first sample; fails when the server shows none. */
    public static double value(Http server, String name) {
        return sample(server, name, "").orElseThrow(() -> new AssertionError(name + " is not among the server's metrics"));
    }
}
