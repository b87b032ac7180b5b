package dev.sessionops.claude.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

/** The API client against the contract stub of our operator API, with canned data. */
class OperatorApiTest {
    private static final String TOKEN = "test-token-not-secret";

    /** Three events of one message, then the end of the stream. */
    static final class Canned implements OperatorApiStub.Backend {
        @Override
        public List<ObjectNode> sessions(String ns) {
            return List.of(OperatorApiStub.JSON.createObjectNode().put("name", "chat").put("messageCount", 2));
        }

        @Override
        public Optional<ObjectNode> session(String ns, String name) {
            return name.equals("chat") ? Optional.of(sessions(ns).get(0)) : Optional.empty();
        }

        @Override
        public Optional<List<ObjectNode>> history(String ns, String name) {
            if (!name.equals("chat")) {
                return Optional.empty();
            }
            List<ObjectNode> entries = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                entries.add(OperatorApiStub.JSON.createObjectNode().put("role", i % 2 == 0 ? "user" : "assistant")
                        .put("content", "entry " + i).put("timestamp", "2026-11-25T13:15:0" + i + "Z").put("sessionId", "s"));
            }
            return Optional.of(entries);
        }

        @Override
        public Optional<ObjectNode> message(String ns, String name) {
            return name.equals("m1") ? Optional.of(OperatorApiStub.JSON.createObjectNode().put("name", "m1")) : Optional.empty();
        }

        @Override
        public void events(String ns, String name, String lastEventId, OperatorApiStub.EventSink sink) throws IOException {
            String[][] events = {{"1-0", "system", EventPrinterTest.INIT}, {"1-1", "assistant", EventPrinterTest.TEXT},
                    {"1-2", "result", EventPrinterTest.RESULT}};
            boolean send = lastEventId == null;
            for (String[] e : events) {
                if (send) {
                    sink.send(e[0], e[1], e[2]);
                }
                send |= e[0].equals(lastEventId);
            }
        }
    }

    private OperatorApiStub stub;
    private OperatorApi api;
    private io.fabric8.kubernetes.client.KubernetesClient client;

    /** A kube client for an API server at {@code url} with a bearer token, as a kubeconfig would give. */
    static io.fabric8.kubernetes.client.KubernetesClient client(String url, String token) {
        var config = new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl(url).withOauthToken(token)
                .withRequestRetryBackoffLimit(0).build();
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(new io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory()).build();
    }

    @BeforeEach
    void start() throws IOException {
        stub = new OperatorApiStub(new Canned(), TOKEN);
        client = client(stub.url(), TOKEN);
        api = OperatorApi.through(client);
    }

    @AfterEach
    void stop() {
        api.close();
        client.close();
        stub.close();
    }

    @Test
    void readsJsonThroughTheApiServersAggregatedPathWithTheKubeconfigsCredentials() {
        JsonNode sessions = api.get(OperatorApi.sessions("team a"));
        assertEquals("chat", sessions.at("/items/0/name").asText());
        assertEquals("/apis/api.claude.sessionops.dev/v1alpha1/namespaces/team a/sessions", stub.seen().get(0).path());
        assertTrue(stub.seen().get(0).authorized());
    }

    @Test
    void theApisErrorsAreReportedWithTheirReason() {
        CliException notFound = assertThrows(CliException.class, () -> api.get(OperatorApi.session("ns", "nope")));
        assertFalse(notFound instanceof ApiUnavailableException);
        assertEquals("operator API: 404 NotFound: claudesession \"nope\" not found", notFound.getMessage());
        try (var anonymous = client(stub.url(), null); OperatorApi noToken = OperatorApi.through(anonymous)) {
            CliException unauthorized = assertThrows(CliException.class, () -> noToken.get(OperatorApi.sessions("ns")));
            assertEquals("operator API: 401 Unauthorized: a valid bearer token is required", unauthorized.getMessage());
        }
    }

    @Test
    void historyIsPagedToTheEnd() {
        JsonNode firstTwo = api.get(OperatorApi.history("ns", "chat", 0, 2));
        assertEquals(2, firstTwo.get("items").size());
        assertEquals(5, firstTwo.get("total").asLong());
        JsonNode rest = api.get(OperatorApi.history("ns", "chat", 4, 50));
        assertEquals("entry 4", rest.at("/items/0/content").asText());
    }

    @Test
    void eventsStreamUntilTheEndAndResumeAfterTheLastId() {
        List<SseEvent> events = new ArrayList<>();
        String last = api.events("ns", "m1", null, events::add, open -> {
        });
        assertEquals(List.of("system", "assistant", "result"), events.stream().map(SseEvent::event).toList());
        assertEquals("1-2", last);
        events.clear();
        api.events("ns", "m1", "1-0", events::add, open -> {
        });
        assertEquals(List.of("1-1", "1-2"), events.stream().map(SseEvent::id).toList());
        assertEquals("1-0", stub.seen().get(stub.seen().size() - 1).lastEventId());
    }

    @Test
    void nothingListeningMeansUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (var nowhere = client("http://127.0.0.1:" + port, null); OperatorApi down = OperatorApi.through(nowhere)) {
            ApiUnavailableException e = assertThrows(ApiUnavailableException.class,
                    () -> down.get(OperatorApi.sessions("ns")));
            assertTrue(e.getMessage().startsWith("the operator API is not reachable at http://127.0.0.1:" + port
                    + "/apis/api.claude.sessionops.dev/v1alpha1"), e.getMessage());
        }
    }

    @Test
    void theApiServersOwnAnswersMeanTheApiIsNotThere() throws IOException {
        // 404 without an object: the cluster does not serve the group; 503: the aggregation layer cannot reach the operator
        for (int code : new int[] {404, 503}) {
            HttpServer apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            apiServer.createContext("/", ex -> {
                byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\""
                        + (code == 404 ? "NotFound" : "ServiceUnavailable") + "\",\"message\":\"the server could not find the requested resource\",\"code\":"
                        + code + "}").getBytes();
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(code, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            apiServer.start();
            try (var c = client("http://127.0.0.1:" + apiServer.getAddress().getPort(), null); OperatorApi viaServer = OperatorApi.through(c)) {
                ApiUnavailableException e = assertThrows(ApiUnavailableException.class,
                        () -> viaServer.get(OperatorApi.sessions("ns")));
                assertTrue(e.getMessage().contains(code == 404 ? "does not serve the operator's API" : "HTTP 503"), e.getMessage());
                assertThrows(ApiUnavailableException.class, () -> viaServer.events("ns", "m1", null, x -> {
                }, x -> {
                }));
            } finally {
                apiServer.stop(0);
            }
        }
    }

    @Test
    void aRedirectIsNeverFollowedWithTheCredentials() throws IOException {
        List<String> authorizationsElsewhere = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        elsewhere.createContext("/", ex -> {
            authorizationsElsewhere.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        elsewhere.start();
        HttpServer redirecting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        redirecting.createContext("/", ex -> {
            ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/steal");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        redirecting.start();
        try (var c = client("http://127.0.0.1:" + redirecting.getAddress().getPort(), TOKEN); OperatorApi api = OperatorApi.through(c)) {
            CliException e = assertThrows(CliException.class, () -> api.get(OperatorApi.sessions("ns")));
            assertTrue(e.getMessage().contains("not followed"), e.getMessage());
            assertEquals(List.of(), authorizationsElsewhere);
        } finally {
            redirecting.stop(0);
            elsewhere.stop(0);
        }
    }
}
