package dev.sessionops.claude.kubectl;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Ages the way kubectl prints them ({@code 45s}, {@code 3m12s}, {@code 5h}, {@code 2d3h}). */
final class Ages {
    private Ages() {
    }

    /** {@code since} an ISO-8601 instant; null when there is none or it cannot be read. */
    static String since(String instant, Instant now) {
        if (instant == null || instant.isBlank()) {
            return null;
        }
        try {
            return format(Duration.between(Instant.parse(instant), now));
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    static String format(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 48) {
            return h + "h";
        }
        long days = h / 24;
        return days < 8 && h % 24 != 0 ? days + "d" + (h % 24) + "h" : days + "d";
    }
}
