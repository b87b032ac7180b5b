package dev.sessionops.claude.http;

/**
 * The {@code offset} and {@code limit} of a history page, checked here rather than by JAX-RS conversion, which
 * would answer a bad number with a bare 404.
 */
public record Paging(long offset, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public static Paging of(String offset, String limit) {
        long o = parse("offset", offset, 0);
        long l = parse("limit", limit, DEFAULT_LIMIT);
        if (o < 0) {
            throw ApiException.badRequest("offset must be 0 or more, got " + o);
        }
        if (l < 1 || l > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + l);
        }
        return new Paging(o, (int) l);
    }

    private static long parse(String name, String value, long defaultValue) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, got \"" + value + "\"");
        }
    }
}
