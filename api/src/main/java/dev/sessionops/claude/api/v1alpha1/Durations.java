package dev.sessionops.claude.api.v1alpha1;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the CRDs write them ({@code 90s}, {@code 30m}, {@code 1h30m}, {@code 500ms}). */
public final class Durations {
    /** The same grammar as {@code RunSettings.timeout}'s schema pattern. */
    public static final Pattern FORMAT = Pattern.compile("^([0-9]+(ms|s|m|h))+$");
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Whole seconds, rounded up so that a sub-second duration still gives a usable deadline of 1 s.
     *
     * @throws IllegalArgumentException when the text is not a duration or is zero
     */
    public static long parseSeconds(String text) {
        if (text == null || !FORMAT.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid duration \"" + text
                    + "\": expected numbers with units ms, s, m or h, such as 90s, 30m or 1h30m");
        }
        long millis = 0;
        Matcher part = PART.matcher(text);
        try {
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                millis = Math.addExact(millis, Math.multiplyExact(amount, unitMillis(part.group(2))));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long", e);
        }
        if (millis == 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" must be greater than zero");
        }
        return Math.max(1, (millis + 999) / 1000);
    }

    private static long unitMillis(String unit) {
        return switch (unit) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> throw new IllegalStateException(unit);
        };
    }
}
