package dev.sessionops.claude.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOptions;
import dev.sessionops.claude.cli.RunOutcome;
import dev.sessionops.claude.cli.StreamJsonParser;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import io.vertx.core.Vertx;

/**
 * The gateway's proxy on a real Vert.x, in front of the fake Anthropic API, with a gatekeeper the test sets: the real
 * CLI runs through it with a token and the fake sees only the real key; usage is recorded per response; every hostile
 * request gets its own status and never reaches the upstream. (The gatekeeper's checks against the API server and
 * Redis, and the whole chain in a cluster, are GatewayE2E's.)
 */
class GatewayProxyTest {
    static final String KEY = "sk-ant-real-" + java.util.UUID.randomUUID();
    static final String UID = "0b5e7c1e-0000-4000-8000-00000000000a";
    static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.function.Supplier<HttpClient> HTTP = () -> HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).build();

    static Vertx vertx;
    static FakeAnthropicApi api;
    static GatewayProxy proxy;
    static final TokenSigner SIGNER = new TokenSigner(TokenSignerTest.KEY);
    static final List<TokenClaims> ADMITTED = new CopyOnWriteArrayList<>();
    static final List<ResponseUsage> RECORDED = new CopyOnWriteArrayList<>();
    static volatile Function<TokenClaims, Gatekeeper.Decision> decide = c -> Gatekeeper.Decision.forward(KEY);

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        vertx = Vertx.vertx();
        api = new FakeAnthropicApi().start();
        proxy = new GatewayProxy(vertx, new GatewayProxy.Settings("127.0.0.1", 0, api.baseUrl(), 64 * 1024), SIGNER,
                claims -> {
                    ADMITTED.add(claims);
                    return decide.apply(claims);
                }, (claims, usage) -> RECORDED.add(usage), Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (api != null) {
            api.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    @BeforeEach
    void reset() {
        api.reset();
        ADMITTED.clear();
        RECORDED.clear();
        decide = c -> Gatekeeper.Decision.forward(KEY);
    }

    @Test
    void theRealCliRunsThroughTheGatewayAndTheApiSeesOnlyTheRealKey() throws Exception {
        String token = token("team-a", "msg-01", Duration.ofMinutes(5));
        RunOutcome run = runCli(base("team-a", "msg-01"), token, "[[tool Bash {\"command\":\"echo hi\"}]]");
        assertTrue(run.succeeded(), run.toString());
        List<FakeAnthropicApi.Request> seen = api.requests();
        assertFalse(seen.isEmpty());
        for (FakeAnthropicApi.Request r : seen) {
            // measured with 2.1.330: POST /v1/messages?beta=true, the key as x-api-key, nothing else
            assertEquals("/v1/messages", r.path(), r.toString());
            assertEquals("beta=true", r.query());
            assertEquals(List.of(KEY), r.header("x-api-key"));
            assertEquals(List.of(), r.header("authorization"));
            assertFalse(r.headers().toString().contains(token), "the token never goes upstream");
            assertEquals(List.of("identity"), r.header("accept-encoding"));
        }
        // a tool call and its answer: two responses, each metered as the API reported it
        assertEquals(seen.size(), RECORDED.size());
        for (ResponseUsage u : RECORDED) {
            assertEquals(new ResponseUsage(u.model(), 120, 30, 10, 5), u);
        }
        assertTrue(ADMITTED.stream().allMatch(c -> c.isFor("team-a", "msg-01") && c.messageUid().equals(UID)));
        assertEquals(new TokenUsageView(120L * seen.size(), 30L * seen.size()),
                new TokenUsageView(run.usage().inputTokens(), run.usage().outputTokens()), "the CLI counted the same");
    }

    @Test
    void aJsonAnswerAndCountTokensPassThrough() throws Exception {
        String token = token("team-a", "msg-01", Duration.ofMinutes(5));
        HttpResponse<String> answer = post("/m/team-a/msg-01/v1/messages", token,
                "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(120, JSON.readTree(answer.body()).path("usage").path("input_tokens").asInt());
        assertEquals(List.of(new ResponseUsage("claude-haiku-4-5", 120, 30, 10, 5)), RECORDED);

        HttpResponse<String> count = post("/m/team-a/msg-01/v1/messages/count_tokens", token,
                "{\"model\":\"claude-haiku-4-5\",\"messages\":[]}");
        assertEquals(200, count.statusCode(), count.body());
        assertEquals(1, RECORDED.size(), "counting tokens uses none");
        assertEquals("/v1/messages/count_tokens", api.requests().get(1).path());
    }

    @Test
    void hostileRequestsAreRefusedEachWithItsOwnStatusAndNeverReachTheApi() throws Exception {
        String token = token("team-a", "msg-01", Duration.ofMinutes(5));
        String body = "{\"model\":\"m\",\"messages\":[]}";
        assertStatus(401, post("/m/team-a/msg-01/v1/messages", null, body), "no token");
        assertStatus(401, post("/m/team-a/msg-01/v1/messages", "sk-ant-guess", body), "not a token");
        assertStatus(401, post("/m/team-a/msg-01/v1/messages", token.substring(0, token.length() - 2) + "AA", body), "tampered");
        assertStatus(401, post("/m/team-a/msg-01/v1/messages", token("team-a", "msg-01", Duration.ofSeconds(-1)), body),
                "expired");
        assertStatus(401, post("/m/team-a/msg-01/v1/messages", new TokenSigner(
                "another-install-another-key-32by".getBytes(StandardCharsets.UTF_8)).sign(claims("team-a", "msg-01",
                        Duration.ofMinutes(5))), body), "another install's token");
        assertStatus(403, post("/m/team-b/msg-01/v1/messages", token, body), "another namespace's path");
        assertStatus(403, post("/m/team-a/msg-02/v1/messages", token, body), "another message's path");
        assertStatus(404, post("/m/team-a/msg-01/v1/models", token, body), "outside the allowed paths");
        assertStatus(404, post("/v1/messages", token, body), "no message in the path");
        assertStatus(400, post("/m/team-a/msg-01/v1/messages?beta=true&upstream=evil", token, body), "a query");
        assertStatus(413, post("/m/team-a/msg-01/v1/messages", token, "x".repeat(64 * 1024 + 1)), "oversize");
        assertStatus(400, send(HttpRequest.newBuilder(uri("/m/team-a/msg-01/v1/messages"))
                .header("x-api-key", token).header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()), "a second credential");
        assertEquals(List.of(), api.requests(), "none of them reached the API");
        assertEquals(List.of(), ADMITTED, "none of them got as far as the gatekeeper");

        decide = c -> Gatekeeper.Decision.refuse(Refusal.forbidden("message team-a/msg-01 has ended"));
        HttpResponse<String> ended = post("/m/team-a/msg-01/v1/messages", token, body);
        assertStatus(403, ended, "ended");
        assertEquals("permission_error", JSON.readTree(ended.body()).path("error").path("type").asText());
        assertEquals(List.of("false"), ended.headers().allValues("x-should-retry"), "the CLI must not retry it");
        decide = c -> Gatekeeper.Decision.refuse(Refusal.overBudget("namespace team-a has spent its budget"));
        HttpResponse<String> broke = post("/m/team-a/msg-01/v1/messages", token, body);
        assertStatus(429, broke, "over budget");
        assertTrue(broke.body().contains("spent its budget"), broke.body());
        decide = c -> {
            throw new IllegalStateException("API server down");
        };
        HttpResponse<String> down = post("/m/team-a/msg-01/v1/messages", token, body);
        assertStatus(503, down, "cannot check");
        assertEquals(List.of(), down.headers().allValues("x-should-retry"), "a passing trouble may be retried");
        assertEquals(List.of(), api.requests());
    }

    @Test
    void smuggledHostAndForwardingHeadersDoNotMoveTheUpstream() throws Exception {
        String token = token("team-a", "msg-01", Duration.ofMinutes(5));
        String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        // raw, since java.net.http will not send a Host of the caller's choosing
        String request = "POST /m/team-a/msg-01/v1/messages HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
                + "Forwarded: host=evil.example\r\nX-Api-Key: " + token + "\r\nContent-Type: application/json\r\n"
                + "Proxy-Authorization: Basic eDp5\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
        FakeAnthropicApi.Request seen = api.requests().get(0);
        assertEquals(List.of(api.baseUrl().substring("http://".length())), seen.header("host"));
        for (String header : List.of("x-forwarded-host", "forwarded", "proxy-authorization")) {
            assertEquals(List.of(), seen.header(header), header);
        }
        assertEquals(List.of(KEY), seen.header("x-api-key"));
    }

    /**
     * An upstream that sends message_start, then holds the rest until the test has read that event through the
     * gateway: a gateway that buffered the answer would never pass it on, and the test would time out.
     */
    @Test
    void aStreamIsRelayedAsItComesNotWhenItEnds() throws Exception {
        java.util.concurrent.CountDownLatch firstEventRead = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer upstream = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5\","
                        + "\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                firstEventRead.await(10, TimeUnit.SECONDS);
                out.write(("event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":3}}\n\n"
                        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n").getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        upstream.start();
        GatewayProxy streaming = new GatewayProxy(vertx, new GatewayProxy.Settings("127.0.0.1", 0,
                "http://127.0.0.1:" + upstream.getAddress().getPort(), 1024), SIGNER, c -> Gatekeeper.Decision.forward(KEY),
                (claims, usage) -> RECORDED.add(usage), Clock.systemUTC()).start();
        try {
            HttpResponse<InputStream> answer = HTTP.get().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + streaming.port() + "/m/team-a/msg-01/v1/messages"))
                    .header("x-api-key", token("team-a", "msg-01", Duration.ofMinutes(5)))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, answer.statusCode());
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(answer.body(), StandardCharsets.UTF_8));
            long started = System.nanoTime();
            assertEquals("event: message_start", lines.readLine());
            assertTrue(lines.readLine().contains("\"input_tokens\":7"));
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0,
                    "the first event came before the upstream finished");
            firstEventRead.countDown();
            StringBuilder rest = new StringBuilder();
            for (String line; (line = lines.readLine()) != null;) {
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString().contains("event: message_stop"), rest.toString());
            assertEquals(List.of(new ResponseUsage("claude-sonnet-4-5", 7, 3, -1, -1)), RECORDED);
        } finally {
            firstEventRead.countDown();
            streaming.close();
            upstream.stop(0);
        }
    }

    record TokenUsageView(long input, long output) {
    }

    private static void assertStatus(int status, HttpResponse<String> response, String what) {
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        if (status >= 400) {
            assertTrue(response.body().contains("claude-session-operator gateway"), what + ": " + response.body());
            assertFalse(response.body().contains(KEY), what);
        }
    }

    private static TokenClaims claims(String ns, String name, Duration valid) {
        return new TokenClaims(ns, name, UID, Instant.now().plus(valid));
    }

    private static String token(String ns, String name, Duration valid) {
        return SIGNER.sign(claims(ns, name, valid));
    }

    private static String base(String ns, String name) {
        return "http://127.0.0.1:" + proxy.port() + "/m/" + ns + "/" + name;
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.port() + path);
    }

    private static HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("x-api-key", token);
        }
        return send(b.build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.get().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The pinned CLI with the gateway as its API, as a run's pod has it. */
    private RunOutcome runCli(String baseUrl, String token, String prompt) throws Exception {
        List<String> argv = new ArrayList<>(ClaudeCommand.argv(RunOptions.builder(prompt).allowedTools(List.of("Bash")).build()));
        argv.set(0, ClaudeBinary.path().toString());
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path workspace = Files.createDirectories(tmp.resolve("workspace"));
        Path log = tmp.resolve("claude.log");
        // as in a pod: the prompt on the CLI's stdin, from a file (ClaudeCommand passes it by file, never in argv)
        Path promptFile = Files.writeString(tmp.resolve("prompt"), prompt);
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workspace.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(promptFile.toFile())).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("PATH", ClaudeBinary.pathVariable(), "HOME", home.toString(),
                "CLAUDE_CONFIG_DIR", home.resolve(".claude").toString(), "ANTHROPIC_BASE_URL", baseUrl,
                "ANTHROPIC_API_KEY", token, "DISABLE_AUTOUPDATER", "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1",
                "DISABLE_TELEMETRY", "1"));
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                fail("claude did not finish within 60 s:\n" + Files.readString(log));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return StreamJsonParser.parse(Files.readString(log));
    }
}
