package dev.sessionops.claude.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.http.ApiAuthFilter.ApiPath;

/** Which namespace and resource kind the authorization check asks about, from the request path. */
class ApiPathTest {

    @Test
    void sessionCallsAreAboutClaudeSessionsAndMessageCallsAboutClaudeMessages() {
        assertEquals(Optional.of(new ApiPath("team-a", "claudesessions")), ApiPath.parse("/api/v1/namespaces/team-a/sessions"));
        assertEquals(Optional.of(new ApiPath("team-a", "claudesessions")),
                ApiPath.parse("/api/v1/namespaces/team-a/sessions/chat/history"));
        assertEquals(Optional.of(new ApiPath("b", "claudemessages")), ApiPath.parse("api/v1/namespaces/b/messages/m/events"));
    }

    @Test
    void otherPathsAreNotTheApis() {
        for (String path : List.of("/q/health", "/q/openapi", "/api/v1/namespaces", "/api/v1/namespaces/x",
                "/api/v2/namespaces/x/sessions", "/api/v1/namespaces/x/pods", "/api/v1/namespaces//sessions")) {
            assertEquals(Optional.empty(), ApiPath.parse(path), path);
        }
    }
}
