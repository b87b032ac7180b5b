package dev.sessionops.claude.api.runner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic names for what a message or session creates. Object names may be 253 characters, but a Job's name
 * becomes its pods' {@code job-name} label, and label values stop at 63; so names are a readable, truncated prefix
 * plus a hash of the full identity, which keeps them distinct when long names share a prefix.
 */
public final class JobNames {
    public static final int MAX_LENGTH = 63;
    private static final int HASH_LENGTH = 10;
    private static final int MAX_PREFIX = MAX_LENGTH - 1 - HASH_LENGTH;
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private JobNames() {
    }

    /** The Job of one message: {@code <name>-<hash of name and uid>}, a DNS-1123 label. */
    public static String forMessage(String messageName, String messageUid) {
        return dnsLabel(messageName, "message", messageName + "/" + messageUid);
    }

    /** The session's state PersistentVolumeClaim: {@code <name>-state-<hash of name>}. */
    public static String stateClaim(String sessionName) {
        String prefix = truncate(sanitize(sessionName), MAX_PREFIX - "-state".length());
        return (prefix.isEmpty() ? "session" : prefix) + "-state-" + hash(sessionName);
    }

    /**
     * A label value standing for {@code name} (for {@code Labels.SESSION} and {@code Labels.MESSAGE}): the name
     * itself when it is a valid label value, else a truncated prefix plus a hash. Select with the same function.
     */
    public static String labelValue(String name) {
        if (name.length() <= MAX_LENGTH && LABEL_VALUE.matcher(name).matches()) {
            return name;
        }
        return dnsLabel(name, "x", name);
    }

    private static String dnsLabel(String name, String fallback, String identity) {
        String prefix = truncate(sanitize(name), MAX_PREFIX);
        return (prefix.isEmpty() ? fallback : prefix) + "-" + hash(identity);
    }

    /** Lower case, and every character a DNS label does not allow becomes {@code -}. */
    private static String sanitize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /** At most {@code max} characters, without leading or trailing dashes. */
    private static String truncate(String s, int max) {
        String cut = s.length() > max ? s.substring(0, max) : s;
        return cut.replaceAll("^-+|-+$", "");
    }

    private static String hash(String identity) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
