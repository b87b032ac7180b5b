package dev.sessionops.claude.events;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Redis Stream entry ids ({@code <millis>-<sequence>}), as clients send them back in {@code Last-Event-ID}. */
public final class StreamIds {
    private static final Pattern ID = Pattern.compile("(\\d{1,19})-(\\d{1,19})");

    private StreamIds() {
    }

    /** True for a well-formed entry id. */
    public static boolean isValid(String id) {
        return id != null && parse(id).isPresent();
    }

    /**
     * The smallest id after {@code id}: XRANGE's start is inclusive, and the exclusive form {@code (id} needs Redis
     * 6.2, so the next id is computed instead.
     */
    public static String after(String id) {
        long[] parts = parse(id).orElseThrow(() -> new IllegalArgumentException("not a stream id: " + id));
        return parts[1] == Long.MAX_VALUE ? (parts[0] + 1) + "-0" : parts[0] + "-" + (parts[1] + 1);
    }

    /**
     * Orders two entry ids as Redis does (by time, then sequence); {@code null} stands for "before the first entry"
     * (a subscriber that starts from the beginning) and sorts before every id.
     */
    public static int compare(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        long[] x = parse(a).orElseThrow(() -> new IllegalArgumentException("not a stream id: " + a));
        long[] y = parse(b).orElseThrow(() -> new IllegalArgumentException("not a stream id: " + b));
        int c = Long.compare(x[0], y[0]);
        return c != 0 ? c : Long.compare(x[1], y[1]);
    }

    private static Optional<long[]> parse(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new long[] { Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) });
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
