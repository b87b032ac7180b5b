package dev.sessionops.claude.api.wire;

import java.util.regex.Pattern;

/**
 * The API's place under the aggregation layer and the syntax every request path must have before anything looks
 * it up. Kubernetes names never need percent-encoding, dots-only segments or empty segments, so a path holding any
 * of them is refused outright (400) instead of being decoded, normalised or re-parsed into something else.
 */
public final class ApiPaths {
    public static final String GROUP = "api.claude.sessionops.dev";
    public static final String VERSION = "v1alpha1";
    public static final String GROUP_VERSION = GROUP + "/" + VERSION;
    public static final String BASE = "/apis/" + GROUP_VERSION;
    public static final int MAX_PATH = 1024;

    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9][a-z0-9.-]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private ApiPaths() {
    }

    /**
     * Why a raw request path (as received: not decoded, not normalised, without the query) is not one this API can
     * serve, or null when its syntax is fine.
     */
    public static String syntaxProblem(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return "the path must start with /";
        }
        if (rawPath.length() > MAX_PATH) {
            return "the path is longer than " + MAX_PATH + " characters";
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        for (String s : segments) {
            if (s.isEmpty()) {
                return "the path has an empty segment";
            }
            if (s.equals(".") || s.equals("..") || !SEGMENT.matcher(s).matches()) {
                // the segment is not echoed: an error page should not reflect what a caller crafted
                return "the path has a segment that is not a Kubernetes name (lowercase letters, digits, '-' and '.'), "
                        + "or is '.' or '..' or percent-encoded";
            }
        }
        return null;
    }

    /** Why {@code value} is not a namespace name (DNS-1123 label), or null. */
    public static String namespaceProblem(String value) {
        if (value == null || value.length() > 63 || !LABEL.matcher(value).matches()) {
            return "namespace \"" + printable(value) + "\" is not a valid namespace name (DNS-1123 label)";
        }
        return null;
    }

    /** Why {@code value} is not an object name (DNS-1123 subdomain), or null. */
    public static String nameProblem(String value) {
        if (value == null || value.length() > 253 || !SUBDOMAIN.matcher(value).matches()) {
            return "name \"" + printable(value) + "\" is not a valid object name (DNS-1123 subdomain)";
        }
        return null;
    }

    /** A hostile value echoed back cut short and with control and non-ASCII characters escaped. */
    public static String printable(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < value.length() && s.length() < 64; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                s.append(c);
            } else {
                s.append(String.format("\\u%04x", (int) c));
            }
        }
        return value.length() > 64 ? s + "…" : s.toString();
    }
}
