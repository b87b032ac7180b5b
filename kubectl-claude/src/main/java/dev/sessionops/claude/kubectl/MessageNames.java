package dev.sessionops.claude.kubectl;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Generated message names, {@code <session>-<yyyyMMdd-HHmmss>-<4 random>}: sortable by time, unique enough. */
final class MessageNames {
    static final String ONE_SHOT_PREFIX = "msg";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    /** An object name's limit (DNS-1123 subdomain). */
    private static final int MAX = 253;

    private MessageNames() {
    }

    static String generate(String session, Instant now, String random4) {
        String suffix = "-" + STAMP.format(now) + "-" + random4;
        String prefix = session == null ? ONE_SHOT_PREFIX : session;
        if (prefix.length() + suffix.length() > MAX) {
            prefix = prefix.substring(0, MAX - suffix.length());
            while (prefix.endsWith("-") || prefix.endsWith(".")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
        }
        return prefix + suffix;
    }
}
