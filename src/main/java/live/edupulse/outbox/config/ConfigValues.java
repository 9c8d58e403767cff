package live.edupulse.outbox.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated reads from a key-value source (MicroProfile Config in the server, a map in unit
 * tests). Every failure is an {@link InvalidConfigurationException} naming the key; secrets are
 * never echoed back.
 */
final class ConfigValues {

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Function<String, Optional<String>> source;

    ConfigValues(Function<String, Optional<String>> source) {
        this.source = source;
    }

    Optional<String> optional(String key) {
        return source.apply(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    String required(String key) {
        return optional(key).orElseThrow(() -> new InvalidConfigurationException(key, "no value (and no default)"));
    }

    String secret(String key) {
        // An empty password is a valid value; only a missing key is an error.
        return source.apply(key).orElseThrow(() -> new InvalidConfigurationException(key, "no value (and no default)"));
    }

    int integer(String key, int min, int max) {
        String raw = required(key);
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(key, "'" + raw + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new InvalidConfigurationException(key, value + " is outside " + min + ".." + max);
        }
        return value;
    }

    boolean bool(String key) {
        String raw = required(key).toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigurationException(key, "'" + raw + "' is neither true nor false");
        };
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) {
        String raw = required(key);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(raw)) {
                return constant;
            }
        }
        StringBuilder accepted = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            accepted.append(accepted.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new InvalidConfigurationException(key, "'" + raw + "' is not one of " + accepted);
    }

    /** Accepts {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d} or ISO-8601 ({@code PT10S}). */
    Duration duration(String key, Duration min, Duration max) {
        String raw = required(key);
        Duration value = parseDuration(key, raw);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidConfigurationException(key, "'" + raw + "' is outside " + format(min) + ".." + format(max));
        }
        return value;
    }

    private static Duration parseDuration(String key, String raw) {
        Matcher simple = SIMPLE_DURATION.matcher(raw.toLowerCase(Locale.ROOT));
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(raw);
        } catch (DateTimeParseException e) {
            throw new InvalidConfigurationException(key, "'" + raw + "' is not a duration such as 500ms, 10s, 5m, 1h, 7d or PT10S");
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() + "s";
    }
}
