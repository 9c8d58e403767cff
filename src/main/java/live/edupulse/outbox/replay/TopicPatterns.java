package live.edupulse.outbox.replay;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Topic patterns as consumers bind them ({@code learning_pulse.*}, {@code submission.received},
 * {@code #}), turned into one regular expression that PostgreSQL ({@code ~}) and Java read alike.
 * The expression is matched against the routing key with a dot in front: each word becomes
 * {@code \.word}, {@code *} one word {@code \.[^.]+}, {@code #} any number of words
 * {@code (?:\.[^.]+)*}, so {@code a.#} matches {@code a} as the broker does.
 */
final class TopicPatterns {

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_-]+");

    private TopicPatterns() {
    }

    /** Why {@code pattern} is not a topic pattern this replay takes, or null when it is one. */
    static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty() || pattern.length() > 255) {
            return "an event type pattern is 1..255 characters";
        }
        for (String word : pattern.split("\\.", -1)) {
            if (!word.equals("*") && !word.equals("#") && !WORD.matcher(word).matches()) {
                return "'" + pattern + "' is not a topic pattern: words of letters, digits, '_' or '-', or * or #, "
                        + "separated by dots";
            }
        }
        return null;
    }

    /** One expression for all of {@code patterns}, to match against {@code "." + routingKey}. */
    static String regex(List<String> patterns) {
        StringBuilder regex = new StringBuilder("^(?:");
        for (int p = 0; p < patterns.size(); p++) {
            if (p > 0) {
                regex.append('|');
            }
            regex.append("(?:");
            for (String word : patterns.get(p).split("\\.", -1)) {
                switch (word) {
                    case "*" -> regex.append("\\.[^.]+");
                    case "#" -> regex.append("(?:\\.[^.]+)*");
                    default -> regex.append("\\.").append(word); // letters, digits, '_' and '-' only
                }
            }
            regex.append(')');
        }
        return regex.append(")$").toString();
    }
}
