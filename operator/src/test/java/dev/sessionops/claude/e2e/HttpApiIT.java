package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.wire.MessageDetails;
import dev.sessionops.claude.api.wire.SessionDetails;
import dev.sessionops.claude.api.wire.SessionInfo;
import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.api.wire.HistoryPage;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryStore;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.testing.TestPki;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The HTTP read API after real runs (the real CLI against the fake Anthropic API): list, show, history with paging,
 * message, errors, and authentication (TokenReview) and authorization (SubjectAccessReview) as the mock API server
 * answers them through {@link ApiUsers}.
 */
@QuarkusTest
class HttpApiIT extends EndToEndTest {
    @TestHTTPResource(value = "/", tls = true)
    URL root;
    @TestHTTPResource(value = "/", management = true)
    URL management;
    ApiClient api;

    @BeforeEach
    void api() throws Exception {
        ApiUsers.install(server);
        api = new ApiClient(root.toURI());
    }

    @Test
    void listShowHistoryAndMessageAfterARealRun() {
        String ns = Harness.namespace(client, "api");
        String alice = ApiUsers.token("alice-" + ns);
        ApiUsers.grant("alice-" + ns, ns);
        Harness.session(client, ns, "chat", s -> {
        });
        Harness.session(client, ns, "quiet", s -> {
        });
        message(client, ns, "chat-01", "chat", "First question " + ns);
        message(client, ns, "chat-02", "chat", "Second question " + ns);
        message(client, ns, "solo", null, "A one-shot question " + ns);
        ClaudeMessage first = awaitPhase(client, ns, "chat-01", MessagePhase.Succeeded);
        ClaudeMessage second = awaitPhase(client, ns, "chat-02", MessagePhase.Succeeded);
        ClaudeMessage solo = awaitPhase(client, ns, "solo", MessagePhase.Succeeded);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                Harness.getSession(client, ns, "chat").getStatus().getMessageCount() == 2);
        ClaudeSession chat = Harness.getSession(client, ns, "chat");
        String base = ApiPaths.BASE + "/namespaces/" + ns;

        // the list: both sessions, the one without messages too, with ChannelCoder's SessionInfo fields
        ApiClient.Reply list = api.getAs(alice, base + "/sessions");
        assertEquals(200, list.status(), list.raw());
        JsonNode chatInfo = item(list.body().get("items"), "chat");
        assertEquals(List.of("created", "currentSessionId", "lastActive", "messageCount", "name"), fields(chatInfo));
        assertEquals(components(SessionInfo.class), fields(chatInfo));
        assertEquals(2, chatInfo.get("messageCount").asLong());
        assertEquals(chat.getStatus().getCurrentSessionId(), chatInfo.get("currentSessionId").asText());
        assertEquals(second.getStatus().getSessionId(), chatInfo.get("currentSessionId").asText());
        assertEquals(chat.getStatus().getLastActive(), chatInfo.get("lastActive").asText());
        assertEquals(chat.getMetadata().getCreationTimestamp(), chatInfo.get("created").asText());
        JsonNode quiet = item(list.body().get("items"), "quiet");
        assertEquals(0, quiet.get("messageCount").asLong());
        assertTrue(quiet.get("lastActive").isNull());
        assertTrue(quiet.get("currentSessionId").isNull());
        assertEquals(2, list.body().get("items").size(), "only this namespace's sessions: " + list.raw());

        // one session
        ApiClient.Reply show = api.getAs(alice, base + "/sessions/chat");
        assertEquals(200, show.status(), show.raw());
        JsonNode s = show.body();
        assertEquals(components(SessionDetails.class), fields(s));
        assertEquals("Idle", s.get("phase").asText());
        assertEquals(List.of(first.getStatus().getSessionId()), texts(s.get("sessionChain")));
        assertEquals(chat.getStatus().getTotalCostUsd(), s.get("totalCostUsd").asDouble(), 1e-12);
        assertTrue(s.get("totalCostUsd").asDouble() > 0);
        assertEquals(chat.getStatus().getUsage().getInputTokens(), s.get("usage").get("inputTokens").asLong());
        assertEquals(chat.getStatus().getUsage().getOutputTokens(), s.get("usage").get("outputTokens").asLong());
        assertTrue(s.get("usage").has("cacheReadInputTokens") && s.get("usage").has("cacheCreationInputTokens"));
        assertEquals(List.of("chat-01", "chat-02"), texts(s.get("messages")));
        assertEquals(2, s.get("messageCount").asLong());

        // its history, oldest first, in ChannelCoder's Message shape
        ApiClient.Reply history = api.getAs(alice, base + "/sessions/chat/history");
        assertEquals(200, history.status(), history.raw());
        JsonNode h = history.body();
        assertEquals(4, h.get("total").asLong());
        assertEquals(0, h.get("offset").asLong());
        assertEquals(50, h.get("limit").asInt());
        List<JsonNode> turns = list(h.get("items"));
        assertEquals(List.of("user", "assistant", "user", "assistant"), turns.stream().map(t -> t.get("role").asText()).toList());
        assertEquals(List.of("content", "role", "sessionId", "timestamp"), fields(turns.get(0)));
        assertEquals("First question " + ns, turns.get(0).get("content").asText());
        assertEquals(first.getStatus().getResult(), turns.get(1).get("content").asText());
        assertEquals("Second question " + ns, turns.get(2).get("content").asText());
        assertEquals(second.getStatus().getResult(), turns.get(3).get("content").asText());
        assertEquals(first.getStatus().getSessionId(), turns.get(0).get("sessionId").asText());
        assertFalse(turns.get(0).get("timestamp").asText().isEmpty());

        // paging
        JsonNode page = api.getAs(alice, base + "/sessions/chat/history?offset=1&limit=2").body();
        assertEquals(4, page.get("total").asLong());
        assertEquals(1, page.get("offset").asLong());
        assertEquals(2, page.get("limit").asInt());
        assertEquals(List.of(turns.get(1), turns.get(2)), list(page.get("items")));
        JsonNode past = api.getAs(alice, base + "/sessions/chat/history?offset=4").body();
        assertEquals(0, past.get("items").size());
        assertEquals(4, past.get("total").asLong());
        assertEquals(List.of(turns.get(3)), list(api.getAs(alice, base + "/sessions/chat/history?offset=3&limit=500").body().get("items")));

        // one message, from its status
        ApiClient.Reply msg = api.getAs(alice, base + "/messages/chat-02");
        assertEquals(200, msg.status(), msg.raw());
        JsonNode m = msg.body();
        // every field of the record the plugin prints too (its -o json), nulls included
        assertEquals(components(MessageDetails.class), fields(m));
        assertEquals("chat-02", m.get("name").asText());
        assertEquals("chat", m.get("session").asText());
        assertEquals("Succeeded", m.get("phase").asText());
        assertEquals("Second question " + ns, m.get("prompt").asText());
        assertEquals(second.getStatus().getSessionId(), m.get("sessionId").asText());
        assertEquals(first.getStatus().getSessionId(), m.get("resumedFrom").asText());
        assertEquals(second.getStatus().getResult(), m.get("result").asText());
        assertEquals(second.getStatus().getCostUsd(), m.get("costUsd").asDouble(), 1e-12);
        assertEquals(second.getStatus().getNumTurns().intValue(), m.get("numTurns").asInt());
        assertEquals(second.getStatus().getDurationMs().longValue(), m.get("durationMs").asLong());
        assertEquals(second.getStatus().getUsage().getOutputTokens(), m.get("usage").get("outputTokens").asLong());
        JsonNode succeeded = list(m.get("conditions")).stream().filter(c -> "Succeeded".equals(c.get("type").asText()))
                .findFirst().orElseThrow();
        assertEquals("True", succeeded.get("status").asText());
        assertFalse(msg.raw().contains(Harness.API_KEY), "no credential in the API");

        // a message's own history: a session message's two turns, and a one-shot conversation's
        List<JsonNode> own = list(api.getAs(alice, base + "/messages/chat-01/history").body().get("items"));
        assertEquals(List.of(turns.get(0), turns.get(1)), own);
        JsonNode soloHistory = api.getAs(alice, base + "/messages/solo/history").body();
        assertEquals(2, soloHistory.get("total").asLong());
        assertEquals("A one-shot question " + ns, soloHistory.get("items").get(0).get("content").asText());
        assertEquals(solo.getStatus().getResult(), soloHistory.get("items").get(1).get("content").asText());
        assertTrue(api.getAs(alice, base + "/messages/solo").body().get("session").isNull());
    }

    @Test
    void badPagingIs400AndMissingThingsAre404() {
        String ns = Harness.namespace(client, "api-errors");
        String user = "carol-" + ns;
        String carol = ApiUsers.token(user);
        ApiUsers.grant(user, ns);
        ApiUsers.grant(user, "ghost-" + ns); // allowed there, but it does not exist
        Harness.session(client, ns, "chat", s -> s.setSuspend(true));
        String base = ApiPaths.BASE + "/namespaces/" + ns;

        for (String query : List.of("limit=0", "limit=501", "limit=abc", "offset=-1", "offset=x")) {
            ApiClient.Reply r = api.getAs(carol, base + "/sessions/chat/history?" + query);
            assertError(r, 400, "BadRequest", query.startsWith("limit") ? "limit" : "offset");
        }
        assertEquals(200, api.getAs(carol, base + "/sessions/chat/history?limit=500").status());
        assertEquals(200, api.getAs(carol, base + "/sessions/chat/history?limit=1").status());

        assertError(api.getAs(carol, base + "/sessions/nope"), 404, "NotFound",
                "claudesessions.claude.sessionops.dev \"nope\" not found");
        assertError(api.getAs(carol, base + "/sessions/nope/history"), 404, "NotFound",
                "claudesessions.claude.sessionops.dev \"nope\" not found");
        assertError(api.getAs(carol, base + "/messages/nope"), 404, "NotFound",
                "claudemessages.claude.sessionops.dev \"nope\" not found");
        assertEquals("nope", api.getAs(carol, base + "/messages/nope").body().get("details").get("name").asText());
        assertError(api.getAs(carol, base + "/messages/nope/history"), 404, "NotFound", "claudemessages.claude.sessionops.dev \"nope\"");
        assertError(api.getAs(carol, base + "/messages/nope/log"), 404, "NotFound", "claudemessages.claude.sessionops.dev \"nope\"");
        String ghost = ApiPaths.BASE + "/namespaces/ghost-" + ns;
        assertError(api.getAs(carol, ghost + "/sessions"), 404, "NotFound", "namespaces \"ghost-" + ns + "\" not found");
        assertError(api.getAs(carol, ghost + "/sessions/chat"), 404, "NotFound", "namespaces \"ghost-" + ns + "\" not found");
        assertError(api.getAs(carol, ghost + "/messages/m"), 404, "NotFound", "namespaces \"ghost-" + ns + "\" not found");

        // an empty namespace that exists is an empty list
        String empty = Harness.namespace(client, "api-empty");
        ApiUsers.grant(user, empty);
        ApiClient.Reply none = api.getAs(carol, ApiPaths.BASE + "/namespaces/" + empty + "/sessions");
        assertEquals(200, none.status(), none.raw());
        assertEquals(0, none.body().get("items").size());
    }

    @Test
    void onlyTheFrontProxyMaySpeakForAUserAndAccessIsReviewedPerNamespace() throws Exception {
        String nsA = Harness.namespace(client, "api-a");
        String nsB = Harness.namespace(client, "api-b");
        String userA = "dave-" + nsA;
        String userB = "erin-" + nsB;
        String dave = ApiUsers.token(userA);
        String erin = ApiUsers.token(userB);
        ApiUsers.grant(userA, nsA);
        ApiUsers.grant(userB, nsB);
        Harness.session(client, nsA, "secret-plans", s -> s.setSuspend(true));
        message(client, nsA, "secret-plans-01", "secret-plans", "Only for A");
        Harness.session(client, nsB, "public", s -> s.setSuspend(true));
        String a = ApiPaths.BASE + "/namespaces/" + nsA;
        Map<String, List<String>> asDave = Map.of("X-Remote-User", List.of(userA), "X-Remote-Group", List.of("system:masters"));
        long reviewsBefore = ApiUsers.accessReviews.size();

        // whoever is not the front proxy is nobody, whatever headers it sends: 401, and no review is asked
        for (String path : List.of("/sessions", "/sessions/secret-plans/history", "/messages/secret-plans-01/log")) {
            assertError(api.get(a + path), 401, "Unauthorized", "served through the Kubernetes API server");
            assertError(api.get(a + path, null, asDave), 401, "Unauthorized", "");
            assertError(api.get(a + path, TestPki.FORGED, asDave), 401, "Unauthorized", ""); // another CA, same name
            assertError(api.get(a + path, TestPki.OTHER_CLIENT, asDave), 401, "Unauthorized", ""); // right CA, not the proxy
            assertError(api.get(a + path, TestPki.FRONT_PROXY, Map.of()), 401, "Unauthorized", ""); // the proxy, no user
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(401, api.get(a + "/sessions", TestPki.FORGED, asDave).status());
        }
        assertEquals(reviewsBefore, ApiUsers.accessReviews.size(), "a refused caller cost a SubjectAccessReview");

        // erin may look only in B: every call about A is 403, existing or not
        for (String path : List.of("/sessions", "/sessions/secret-plans", "/sessions/secret-plans/history",
                "/sessions/does-not-exist", "/messages/secret-plans-01", "/messages/secret-plans-01/history",
                "/messages/secret-plans-01/log")) {
            ApiClient.Reply r = api.getAs(erin, a + path);
            String resource = path.startsWith("/messages") ? "claudemessages" : "claudesessions";
            assertError(r, 403, "Forbidden", "User \"" + userB + "\" cannot get resource \"" + resource + "\"");
            assertFalse(r.raw().contains("Only for A"), r.raw());
            assertFalse(r.raw().contains("secret-plans\"") && !r.raw().contains("cannot get"), r.raw());
        }
        // in B, erin sees B's sessions only
        ApiClient.Reply mine = api.getAs(erin, ApiPaths.BASE + "/namespaces/" + nsB + "/sessions");
        assertEquals(200, mine.status(), mine.raw());
        assertEquals(List.of("public"), list(mine.body().get("items")).stream().map(i -> i.get("name").asText()).toList());
        // and dave sees A's
        assertEquals(200, api.getAs(dave, a + "/sessions/secret-plans").status());

        // the reviews asked the API server the right questions, with the identity the front proxy named
        var reviewsOfA = ApiUsers.accessReviews.stream()
                .filter(r -> nsA.equals(r.getSpec().getResourceAttributes().getNamespace())).toList();
        assertTrue(reviewsOfA.stream().anyMatch(r -> "claudemessages".equals(r.getSpec().getResourceAttributes().getResource())
                && userB.equals(r.getSpec().getUser())));
        for (var r : reviewsOfA) {
            assertEquals("get", r.getSpec().getResourceAttributes().getVerb());
            assertEquals(ApiUsers.GROUP, r.getSpec().getResourceAttributes().getGroup());
            assertEquals(List.of("system:authenticated"), r.getSpec().getGroups());
        }

        // a decision is reused for the cache's lifetime (10 s): a polling client costs one review, not one per call
        long before = ApiUsers.reviewsOf(userA);
        for (int i = 0; i < 200; i++) {
            assertEquals(200, api.getAs(dave, a + "/sessions").status());
            assertEquals(403, api.getAs(dave, ApiPaths.BASE + "/namespaces/" + nsB + "/sessions").status());
        }
        assertTrue(ApiUsers.reviewsOf(userA) - before <= 4, "reviews for 400 calls: " + (ApiUsers.reviewsOf(userA) - before));
    }

    @Test
    void openApiDocumentDescribesTheApi() {
        // on the management port, with health and metrics: the API port serves only the authenticated API
        ApiClient.Reply doc = new ApiClient(java.net.URI.create(management.toString())).get("openapi?format=json");
        assertEquals(200, doc.status(), doc.raw());
        JsonNode paths = doc.body().get("paths");
        String ns = ApiPaths.BASE + "/namespaces/{namespace}";
        for (String p : List.of(ApiPaths.BASE, ns + "/sessions", ns + "/sessions/{name}", ns + "/sessions/{name}/history",
                ns + "/messages/{name}", ns + "/messages/{name}/history", ns + "/messages/{name}/log")) {
            assertNotNull(paths.get(p), p + " in " + paths);
        }
        assertNotNull(paths.get(ns + "/messages/{name}/log").get("get").get("responses")
                .get("200").get("content").get("text/event-stream"));
    }

    static void assertError(ApiClient.Reply r, int status, String reason, String messagePart) {
        assertEquals(status, r.status(), r.raw());
        assertNotNull(r.body(), "a JSON body");
        assertEquals("Status", r.body().get("kind").asText(), r.raw());
        assertEquals(status, r.body().get("code").asInt(), r.raw());
        assertEquals(reason, r.body().get("reason").asText(), r.raw());
        assertTrue(r.body().get("message").asText().contains(messagePart), r.raw());
    }

    static JsonNode item(JsonNode items, String name) {
        return list(items).stream().filter(i -> name.equals(i.get("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + items));
    }

    /**
     * A history past cso.history.max-entries (recorded here with a cap of 4, by the operator's own store on the
     * operator's Redis): the API keeps positions absolute — an offset names the same entry before and after a trim —
     * and says what was trimmed, for the session and for each message.
     */
    @Test
    void aTrimmedHistoryKeepsItsPositionsAndSaysWhatWasTrimmed() {
        String ns = Harness.namespace(client, "trim");
        String alice = ApiUsers.token("alice-" + ns);
        ApiUsers.grant("alice-" + ns, ns);
        Harness.session(client, ns, "long", s -> s.setSuspend(true)); // its messages wait: this test records them
        List<ClaudeMessage> messages = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String name = "long-0" + i;
            message(client, ns, name, "long", "Prompt " + i);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                    ConversationKey.of(Harness.get(client, ns, name)).isPresent()); // owned by its session
            messages.add(Harness.get(client, ns, name));
        }
        ConversationKey key = ConversationKey.of(messages.get(0)).orElseThrow();
        HistoryStore capped = new HistoryStore(redis, new com.fasterxml.jackson.databind.ObjectMapper(),
                new OperatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), 4);
        String base = ApiPaths.BASE + "/namespaces/" + ns;
        for (int i = 1; i <= 3; i++) {
            record(capped, key, messages.get(i - 1), i);
        }

        JsonNode all = api.getAs(alice, base + "/sessions/long/history").body();
        assertEquals(List.of("firstIndex", "items", "limit", "offset", "total", "trimmed"), fields(all));
        assertEquals(components(HistoryPage.class), fields(all));
        assertEquals(6, all.get("total").asLong(), "every entry ever recorded");
        assertEquals(2, all.get("firstIndex").asLong());
        assertTrue(all.get("trimmed").asBoolean());
        assertEquals(List.of("Prompt 2", "Reply 2", "Prompt 3", "Reply 3"), contents(all.get("items")));
        JsonNode fromThree = api.getAs(alice, base + "/sessions/long/history?offset=3&limit=2").body();
        assertEquals(List.of("Reply 2", "Prompt 3"), contents(fromThree.get("items")));

        // another turn trims another: the client's offset still names the same entry
        record(capped, key, messages.get(3), 4);
        JsonNode again = api.getAs(alice, base + "/sessions/long/history?offset=4&limit=2").body();
        assertEquals(List.of("Prompt 3", "Reply 3"), contents(again.get("items")));
        assertEquals(4, again.get("firstIndex").asLong());
        assertEquals(8, again.get("total").asLong());
        JsonNode early = api.getAs(alice, base + "/sessions/long/history?offset=0&limit=5").body();
        assertEquals(List.of("Prompt 3"), contents(early.get("items")), "only what is left of positions 0 to 4");

        // a message's own page: its entries trimmed, or whole
        JsonNode first = api.getAs(alice, base + "/messages/long-01/history").body();
        assertEquals(0, first.get("items").size());
        assertEquals(2, first.get("total").asLong());
        assertEquals(2, first.get("firstIndex").asLong());
        assertTrue(first.get("trimmed").asBoolean());
        JsonNode last = api.getAs(alice, base + "/messages/long-04/history").body();
        assertEquals(List.of("Prompt 4", "Reply 4"), contents(last.get("items")));
        assertFalse(last.get("trimmed").asBoolean());
        assertEquals(0, last.get("firstIndex").asLong());
    }

    private static void record(HistoryStore store, ConversationKey key, ClaudeMessage m, int n) {
        store.record(key, new Completion(m.getMetadata().getUid(), m.getMetadata().getName(), true, "Prompt " + n,
                "Reply " + n, "claude-trim", "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z", 0.01, 1, 1, 0, 0, "turn-" + n),
                null);
    }

    private static List<String> contents(JsonNode items) {
        return list(items).stream().map(i -> i.get("content").asText()).toList();
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    static List<String> texts(JsonNode array) {
        return list(array).stream().map(JsonNode::asText).toList();
    }

    /** A wire record's JSON field names, sorted like {@link #fields}. */
    static List<String> components(Class<? extends Record> type) {
        return java.util.Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).sorted().toList();
    }

    static List<String> fields(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }
}
