package live.edupulse.outbox.replay;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What an operator (or a consumer's catch-up) asks to replay: the retained events whose type
 * matches one of {@code eventTypes} (topic patterns), optionally of one aggregate type or one
 * aggregate, optionally occurred in {@code [from, to)}, to {@code queue}, at most {@code rate}
 * events per second (null: the configured default).
 */
public record ReplayRequest(String queue, List<String> eventTypes, String aggregateType, String aggregateId,
                            Instant from, Instant to, Integer rate) {

    private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9._:-]{1,255}");

    /**
     * Checks every field.
     *
     * @throws InvalidReplayRequestException naming the first field that is wrong
     */
    void validate(int maxRate) {
        if (queue == null || !QUEUE.matcher(queue).matches()) {
            throw new InvalidReplayRequestException("queue", "queue is 1..255 letters, digits, '.', '_', ':' or '-'");
        }
        if (eventTypes == null || eventTypes.isEmpty() || eventTypes.size() > 50) {
            throw new InvalidReplayRequestException("eventTypes", "eventTypes lists 1..50 topic patterns");
        }
        for (String pattern : eventTypes) {
            String problem = TopicPatterns.problem(pattern);
            if (problem != null) {
                throw new InvalidReplayRequestException("eventTypes", problem);
            }
        }
        text("aggregateType", aggregateType);
        text("aggregateId", aggregateId);
        if (aggregateId != null && aggregateType == null) {
            throw new InvalidReplayRequestException("aggregateId", "aggregateId needs aggregateType");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidReplayRequestException("to", "to must be after from");
        }
        if (rate != null && (rate < 1 || rate > maxRate)) {
            throw new InvalidReplayRequestException("rate", "rate is 1.." + maxRate + " events per second");
        }
    }

    private static void text(String field, String value) {
        if (value != null && (value.isEmpty() || value.length() > 200 || value.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidReplayRequestException(field, field + " is 1..200 printable characters");
        }
    }
}
