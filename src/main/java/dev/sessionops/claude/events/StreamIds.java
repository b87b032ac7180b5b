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
