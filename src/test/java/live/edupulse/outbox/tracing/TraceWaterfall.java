package live.edupulse.outbox.tracing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import live.edupulse.outbox.tracing.OtlpReceiver.ReceivedSpan;

/**
 * Draws received spans as a waterfall (SVG): one row per span in start order, indented under its
 * parent, a bar from its start to its end on a common time axis, its name and duration beside it.
 */
final class TraceWaterfall {

    private static final int ROW = 26;
    private static final int LABEL = 330;
    private static final int BARS = 560;
    private static final int TOP = 44;

    private TraceWaterfall() {
    }

    static String svg(String title, List<ReceivedSpan> spans) {
        Map<String, Integer> depth = new HashMap<>();
        List<ReceivedSpan> ordered = treeOrder(spans, depth);
        long first = ordered.get(0).startEpochNanos();
        long last = ordered.stream().mapToLong(ReceivedSpan::endEpochNanos).max().orElse(first + 1);
        double nanosPerPixel = Math.max(1, last - first) / (double) BARS;
        int height = TOP + ROW * ordered.size() + 30;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", LABEL + BARS + 120, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"));
        svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"36\" fill=\"#555\">0 ms</text>%n", LABEL));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"36\" fill=\"#555\" text-anchor=\"end\">%.1f ms</text>%n",
                LABEL + BARS, (last - first) / 1e6));
        for (int row = 0; row < ordered.size(); row++) {
            ReceivedSpan span = ordered.get(row);
            int level = depth.get(span.spanId());
            int y = TOP + row * ROW;
            double x = LABEL + (span.startEpochNanos() - first) / nanosPerPixel;
            double width = Math.max(2, (span.endEpochNanos() - span.startEpochNanos()) / nanosPerPixel);
            String label = span.name() + (span.linkedSpanIds().isEmpty() ? "" : "  (link to its batch)");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", 8 + 14 * level, y + 16,
                    escape(label)));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"3\" fill=\"%s\"/>%n",
                    x, y + 4, width, colour(span)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%.2f ms</text>%n",
                    x + width + 6, y + 16, (span.endEpochNanos() - span.startEpochNanos()) / 1e6));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Roots in start order, each followed by its descendants (children in start order); depth filled in. */
    private static List<ReceivedSpan> treeOrder(List<ReceivedSpan> spans, Map<String, Integer> depth) {
        Comparator<ReceivedSpan> byStart = Comparator.comparingLong(ReceivedSpan::startEpochNanos);
        Map<String, List<ReceivedSpan>> children = new HashMap<>();
        List<ReceivedSpan> roots = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        spans.forEach(span -> ids.add(span.spanId()));
        for (ReceivedSpan span : spans) {
            if (ids.contains(span.parentSpanId())) {
                children.computeIfAbsent(span.parentSpanId(), id -> new ArrayList<>()).add(span);
            } else {
                roots.add(span);
            }
        }
        roots.sort(byStart);
        List<ReceivedSpan> ordered = new ArrayList<>();
        for (ReceivedSpan root : roots) {
            visit(root, 0, children, byStart, depth, ordered);
        }
        return ordered;
    }

    private static void visit(ReceivedSpan span, int level, Map<String, List<ReceivedSpan>> children,
                              Comparator<ReceivedSpan> byStart, Map<String, Integer> depth, List<ReceivedSpan> ordered) {
        depth.put(span.spanId(), level);
        ordered.add(span);
        List<ReceivedSpan> below = new ArrayList<>(children.getOrDefault(span.spanId(), List.of()));
        below.sort(byStart);
        for (ReceivedSpan child : below) {
            visit(child, level + 1, children, byStart, depth, ordered);
        }
    }

    private static String colour(ReceivedSpan span) {
        return switch (span.kind()) {
            case "SPAN_KIND_SERVER" -> "#4e79a7";
            case "SPAN_KIND_PRODUCER" -> "#f28e2b";
            case "SPAN_KIND_CONSUMER" -> "#59a14f";
            default -> "#76b7b2";
        };
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
