package dev.sessionops.claude.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a request before anything else happens to it (no I/O): the only routes are
 * {@code POST /m/<namespace>/<message>/v1/messages} and {@code …/v1/messages/count_tokens} (what CLI 2.1.330 calls,
 * measured: {@code /v1/messages?beta=true}; its {@code HEAD /api/hello} connectivity check gets a 404, which it
 * ignores), an origin-form URI without encoding tricks, no query but {@code beta=true}, exactly one credential
 * ({@code x-api-key}, which the CLI sends for {@code ANTHROPIC_API_KEY}, or {@code Authorization: Bearer}, for
 * {@code ANTHROPIC_AUTH_TOKEN}), a declared body size within the limit and no other framing.
 */
public final class GatewayRequest {
    static final int MAX_URI = 2048;
    private static final Pattern ROUTE = Pattern.compile(
            "/m/([a-z0-9][-a-z0-9]{0,62})/([a-z0-9][-.a-z0-9]{0,252})(/v1/messages(?:/count_tokens)?)");
    static final List<String> QUERIES = List.of("", "beta=true");

    private GatewayRequest() {
    }

    /** A request the gateway may go on with: whose message it names, where it goes upstream, its token. */
    public record Accepted(String namespace, String messageName, String apiPath, String query, String token,
            long contentLength) {
        /** The upstream request's path and query. */
        String upstreamUri() {
            return apiPath + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** Either an {@link Accepted} request or the {@link Refusal} to answer. */
    public record Check(Accepted accepted, Refusal refusal) {
    }

    /**
     * @param headers every value of a header, by (case-insensitive) name
     */
    public static Check check(String method, String uri, Function<String, List<String>> headers, long maxBodyBytes) {
        if (uri == null || uri.length() > MAX_URI || !uri.startsWith("/")) {
            return refused(Refusal.badRequest("the request target must be a path on the gateway"));
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        Matcher route = ROUTE.matcher(path);
        if (!route.matches() || path.contains("..")) {
            return refused(Refusal.notFound("no such route: the gateway serves POST /m/<namespace>/<message>/v1/messages"
                    + " and /v1/messages/count_tokens only"));
        }
        if (!"POST".equals(method)) {
            return refused(new Refusal(405, "invalid_request_error", "only POST is allowed here", false));
        }
        if (!QUERIES.contains(query)) {
            return refused(Refusal.badRequest("query parameters other than beta=true are not allowed"));
        }
        List<String> credentials = new ArrayList<>();
        for (String key : headers.apply("x-api-key")) {
            credentials.add(key.strip());
        }
        for (String auth : headers.apply("authorization")) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return refused(Refusal.unauthenticated("the Authorization header must be a Bearer token"));
            }
            credentials.add(auth.substring(7).strip());
        }
        if (credentials.isEmpty()) {
            return refused(Refusal.unauthenticated("no token: send the run's token as x-api-key"));
        }
        if (credentials.size() > 1) {
            return refused(Refusal.badRequest("more than one credential (x-api-key, Authorization): send the run's token once"));
        }
        if (!headers.apply("transfer-encoding").isEmpty()) {
            return refused(Refusal.badRequest("chunked request bodies are not accepted: send Content-Length"));
        }
        List<String> lengths = headers.apply("content-length");
        if (lengths.size() != 1) {
            return refused(new Refusal(411, "invalid_request_error", "a request needs exactly one Content-Length", false));
        }
        long length;
        try {
            length = Long.parseLong(lengths.get(0).strip());
        } catch (NumberFormatException e) {
            return refused(Refusal.badRequest("Content-Length is not a number"));
        }
        if (length < 0) {
            return refused(Refusal.badRequest("Content-Length is negative"));
        }
        if (length > maxBodyBytes) {
            return refused(new Refusal(413, "request_too_large", "the request body of " + length
                    + " bytes is larger than the gateway's limit of " + maxBodyBytes, false));
        }
        return new Check(new Accepted(route.group(1), route.group(2), route.group(3), query, credentials.get(0), length),
                null);
    }

    /** Request headers the upstream gets (lower case; {@code x-stainless-*} too): no credential, host or routing header. */
    static final List<String> FORWARDED = List.of("content-type", "accept", "anthropic-version", "anthropic-beta",
            "user-agent", "x-app", "x-claude-code-session-id");

    static boolean forwarded(String header) {
        String h = header.toLowerCase(Locale.ROOT);
        return FORWARDED.contains(h) || h.startsWith("x-stainless-");
    }

    /** Response headers never passed back: hop-by-hop ones (the gateway frames its own response) and cookies. */
    static final List<String> NOT_RETURNED = List.of("connection", "keep-alive", "transfer-encoding", "content-length",
            "proxy-authenticate", "proxy-connection", "te", "trailer", "upgrade", "set-cookie");

    static boolean returned(String header) {
        return !NOT_RETURNED.contains(header.toLowerCase(Locale.ROOT));
    }

    private static Check refused(Refusal refusal) {
        return new Check(null, refusal);
    }
}
