package dev.sessionops.claude.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GatewayRequestTest {
    static final String PATH = "/m/team-a/fix-bug-01/v1/messages";
    static final long MAX = 1000;

    @Test
    void theCliRequestIsAccepted() {
        GatewayRequest.Check check = check("POST", PATH + "?beta=true", Map.of("x-api-key", List.of("tok"),
                "content-length", List.of("120")));
        assertNull(check.refusal());
        GatewayRequest.Accepted a = check.accepted();
        assertEquals("team-a", a.namespace());
        assertEquals("fix-bug-01", a.messageName());
        assertEquals("/v1/messages?beta=true", a.upstreamUri());
        assertEquals("tok", a.token());
        assertEquals(120, a.contentLength());

        GatewayRequest.Accepted bearer = check("POST", "/m/team-a/fix-bug-01/v1/messages/count_tokens",
                Map.of("authorization", List.of("Bearer tok"), "content-length", List.of("0"))).accepted();
        assertEquals("/v1/messages/count_tokens", bearer.upstreamUri());
        assertEquals("tok", bearer.token());
    }

    @Test
    void everyHostileRequestGetsItsOwnStatus() {
        Map<String, List<String>> ok = Map.of("x-api-key", List.of("tok"), "content-length", List.of("10"));
        assertRefused(400, check("POST", "http://evil.example/m/team-a/x/v1/messages", ok), "absolute-form target");
        assertRefused(400, check("POST", "/" + "a".repeat(GatewayRequest.MAX_URI), ok), "huge target");
        for (String path : List.of("/v1/messages", "/m/team-a/x/v1/complete", "/m/team-a/x/v1/messages/batches",
                "/m/team-a/x/../y/v1/messages", "/m/Team_A/x/v1/messages", "/m/team-a/x%2fy/v1/messages",
                "/m/team-a//v1/messages", "/m/team-a/x/v1/models", "/api/hello", "/m/team-a/x/v1/messages/")) {
            assertRefused(404, check("POST", path, ok), path);
        }
        assertRefused(405, check("GET", PATH, ok), "GET");
        assertRefused(400, check("POST", PATH + "?beta=true&host=evil.example", ok), "extra query");
        assertRefused(401, check("POST", PATH, Map.of("content-length", List.of("10"))), "no token");
        assertRefused(401, check("POST", PATH, Map.of("authorization", List.of("Basic dG9rOg=="), "content-length",
                List.of("10"))), "not bearer");
        assertRefused(400, check("POST", PATH, Map.of("x-api-key", List.of("tok"), "authorization",
                List.of("Bearer sk-ant-smuggled"), "content-length", List.of("10"))), "two credentials");
        assertRefused(400, check("POST", PATH, Map.of("x-api-key", List.of("tok", "sk-ant-smuggled"), "content-length",
                List.of("10"))), "two keys");
        assertRefused(411, check("POST", PATH, Map.of("x-api-key", List.of("tok"))), "no length");
        assertRefused(400, check("POST", PATH, Map.of("x-api-key", List.of("tok"), "content-length", List.of("10"),
                "transfer-encoding", List.of("chunked"))), "chunked");
        assertRefused(400, check("POST", PATH, Map.of("x-api-key", List.of("tok"), "content-length", List.of("ten"))), "nan");
        assertRefused(413, check("POST", PATH, Map.of("x-api-key", List.of("tok"), "content-length",
                List.of(Long.toString(MAX + 1)))), "oversize");
    }

    @Test
    void onlyTheApisOwnHeadersGoUpstream() {
        for (String h : List.of("Content-Type", "anthropic-version", "anthropic-beta", "User-Agent", "X-Stainless-Retry-Count",
                "x-claude-code-session-id", "x-app", "accept")) {
            assertTrue(GatewayRequest.forwarded(h), h);
        }
        for (String h : List.of("x-api-key", "Authorization", "Host", "X-Forwarded-Host", "Forwarded", "Proxy-Authorization",
                "Cookie", "Content-Length", "Transfer-Encoding", "Connection", "X-Upstream", "anthropic-dangerous-direct-browser-access")) {
            assertFalse(GatewayRequest.forwarded(h), h);
        }
        assertFalse(GatewayRequest.returned("Set-Cookie"));
        assertFalse(GatewayRequest.returned("Transfer-Encoding"));
        assertTrue(GatewayRequest.returned("request-id"));
        assertTrue(GatewayRequest.returned("retry-after"));
    }

    @Test
    void refusalsAreTheApisErrorShape() {
        Refusal r = Refusal.forbidden("message \"x\"\nended");
        assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":"
                + "\"claude-session-operator gateway: message \\\"x\\\"\\u000aended\"}}", r.body());
    }

    private static void assertRefused(int status, GatewayRequest.Check check, String what) {
        assertNotNull(check.refusal(), what);
        assertEquals(status, check.refusal().status(), what + ": " + check.refusal().message());
        assertFalse(check.refusal().retry(), what);
    }

    private static GatewayRequest.Check check(String method, String uri, Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new HashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return GatewayRequest.check(method, uri, name -> lower.getOrDefault(name, List.of()), MAX);
    }
}
