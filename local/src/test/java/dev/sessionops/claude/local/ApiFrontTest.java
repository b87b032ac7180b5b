package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The API front on its own (plain JUnit): the auth decision and the header rules as functions, then the proxy against
 * stand-ins — an HTTPS "operator" that requires a client certificate from the CA, echoes what it got and streams
 * Server-Sent Events with pauses, and a plain-HTTP "Kubernetes API" echo.
 */
class ApiFrontTest {
    private static final String TOKEN = "s3cr3t-token";
    private static final ApiFront.User ALICE = new ApiFront.User("alice", List.of("system:authenticated"));
    private static final ApiFront.Authenticator AUTH = t -> TOKEN.equals(t) ? Optional.of(ALICE) : Optional.empty();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OP = "/apis/api.claude.sessionops.dev/v1alpha1/namespaces/default/sessions/demo";

    private Vertx vertx;
    private final List<ApiFront> fronts = new ArrayList<>();
    private final CountDownLatch streamClosedUpstream = new CountDownLatch(1);

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        fronts.forEach(ApiFront::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // --- decisions

    @Test
    void allowsOnlyTheTokenFromALoopbackHost() {
        assertEquals(ALICE, allowed(ApiFront.authorize("Bearer " + TOKEN, List.of("127.0.0.1:6443"), true, AUTH)));
        assertEquals(ALICE, allowed(ApiFront.authorize("bearer " + TOKEN, List.of("localhost"), true, AUTH)));
        assertEquals(ALICE, allowed(ApiFront.authorize("Bearer " + TOKEN, List.of("[::1]:80"), true, AUTH)));
        assertEquals(ALICE, allowed(ApiFront.authorize("Bearer " + TOKEN, List.of("LOCALHOST:1"), true, AUTH)));

        assertDenied(ApiFront.authorize(null, List.of("127.0.0.1"), true, AUTH));
        assertDenied(ApiFront.authorize("Bearer ", List.of("127.0.0.1"), true, AUTH));
        assertDenied(ApiFront.authorize("Basic " + TOKEN, List.of("127.0.0.1"), true, AUTH));
        assertDenied(ApiFront.authorize("Bearer wrong", List.of("127.0.0.1"), true, AUTH));
        assertDenied(ApiFront.authorize("Bearer " + TOKEN, List.of("evil.example"), true, AUTH));
        assertDenied(ApiFront.authorize("Bearer " + TOKEN, List.of(), true, AUTH));
        assertDenied(ApiFront.authorize("Bearer " + TOKEN, null, true, AUTH));
        assertDenied(ApiFront.authorize("Bearer " + TOKEN, List.of("127.0.0.1", "evil.example"), true, AUTH));
        // without the Host rule only the token counts
        assertEquals(ALICE, allowed(ApiFront.authorize("Bearer " + TOKEN, List.of("evil.example"), false, AUTH)));
        assertDenied(ApiFront.authorize("Bearer wrong", List.of("evil.example"), false, AUTH));
    }

    @Test
    void loopbackHostsAreExactlyTheLoopbackNames() {
        for (String ok : List.of("127.0.0.1", "127.0.0.1:8080", "localhost", "localhost:1", "[::1]", "[::1]:443", " Localhost ")) {
            assertTrue(ApiFront.isLoopbackHost(ok), ok);
        }
        for (String bad : List.of("", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "evil.example:127",
                "::1", "[::1", "[::1]x", "127.0.0.2", "0.0.0.0", "127.0.0.1:", "127.0.0.1:80a", "localhost:123456",
                "[::ffff:7f00:1]", "user@127.0.0.1")) {
            assertFalse(ApiFront.isLoopbackHost(bad), bad);
        }
        assertFalse(ApiFront.isLoopbackHost(null));
    }

    @Test
    void theOperatorGetsTheFrontsIdentityHeadersOnly() {
        MultiMap in = MultiMap.caseInsensitiveMultiMap()
                .add("Authorization", "Bearer " + TOKEN)
                .add("X-Remote-User", "system:admin")
                .add("x-remote-group", "system:masters")
                .add("X-Remote-Extra-Scopes", "all")
                .add("Impersonate-User", "system:admin")
                .add("Host", "127.0.0.1:6443")
                .add("Connection", "keep-alive, X-Hop")
                .add("X-Hop", "1")
                .add("Transfer-Encoding", "chunked")
                .add("Accept", "text/event-stream")
                .add("Last-Event-ID", "7-0")
                .add("User-Agent", "kubectl-claude");
        MultiMap out = ApiFront.operatorRequestHeaders(in, ALICE);
        assertNull(out.get("Authorization"));
        assertEquals(List.of("alice"), out.getAll("X-Remote-User"));
        assertEquals(List.of("system:authenticated"), out.getAll("X-Remote-Group"));
        for (String gone : List.of("X-Remote-Extra-Scopes", "Impersonate-User", "Host", "Connection", "X-Hop", "Transfer-Encoding")) {
            assertNull(out.get(gone), gone);
        }
        assertEquals("text/event-stream", out.get("Accept"));
        assertEquals("7-0", out.get("Last-Event-ID"));
        assertEquals("kubectl-claude", out.get("User-Agent"));

        MultiMap kube = ApiFront.kubeRequestHeaders(in);
        assertEquals("Bearer " + TOKEN, kube.get("Authorization"), "the Kubernetes API checks the token itself");
        assertNull(kube.get("Host"));
        assertNull(kube.get("X-Hop"));
        assertEquals("text/event-stream", kube.get("Accept"));
    }

    @Test
    void routesTheOperatorsGroupAndRefusesDotSegments() {
        assertFalse(ApiFront.isOperatorPath("/apis/api.claude.sessionops.dev"), "the group document is the aggregator's");
        assertTrue(ApiFront.isOperatorPath("/apis/api.claude.sessionops.dev/v1alpha1"));
        assertTrue(ApiFront.isOperatorPath(OP + "/history"));
        assertFalse(ApiFront.isOperatorPath("/apis/api.claude.sessionops.dev.evil/v1"));
        assertFalse(ApiFront.isOperatorPath("/apis/claude.sessionops.dev/v1alpha1/claudesessions"));
        assertFalse(ApiFront.isOperatorPath("/api/v1/secrets"));
        assertTrue(ApiFront.hasDotSegments("/apis/api.claude.sessionops.dev/../../api/v1/secrets"));
        assertTrue(ApiFront.hasDotSegments("/api/v1/%2e%2e/x"));
        assertTrue(ApiFront.hasDotSegments("/api/./v1"));
        assertFalse(ApiFront.hasDotSegments("/api/v1/namespaces/a..b/pods"));
    }

    // --- the proxy

    @Test
    void proxiesTheOperatorsGroupWithTheClientCertificateAndTheCallersIdentity() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        HttpServer operator = operatorStandIn(ca, Pki.server(ca, "operator", List.of("localhost"), List.of("127.0.0.1")));
        ApiFront front = front(ca, operator.actualPort(), kubeEcho().actualPort());

        HttpResponse<String> r = get(front, OP + "/history?limit=2", Map.of("Authorization", "Bearer " + TOKEN,
                "X-Remote-User", "system:admin", "X-Remote-Group", "system:masters", "X-Remote-Extra-Foo", "bar"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("operator", echo.get("upstream").asText());
        assertEquals(ApiFrontTest.FRONT_PROXY_CN, echo.get("clientCN").asText());
        assertEquals(OP + "/history?limit=2", echo.get("uri").asText());
        JsonNode headers = echo.get("headers");
        assertEquals("[\"alice\"]", headers.get("x-remote-user").toString());
        assertEquals("[\"system:authenticated\"]", headers.get("x-remote-group").toString());
        assertNull(headers.get("authorization"));
        assertNull(headers.get("x-remote-extra-foo"));
        assertEquals("x", r.headers().firstValue("X-Upstream-Header").orElse(null), "response headers come back");
    }

    @Test
    void streamsServerSentEventsAsTheyComeAndEndsTheUpstreamWhenTheCallerLeaves() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        HttpServer operator = operatorStandIn(ca, Pki.server(ca, "operator", List.of("localhost"), List.of("127.0.0.1")));
        ApiFront front = front(ca, operator.actualPort(), kubeEcho().actualPort());

        // three events 800 ms apart: each must arrive long before the stream ends
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + OP + "/messages/m1/log"))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build();
        long start = System.nanoTime();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(null));
        List<Long> arrivals = new ArrayList<>();
        List<String> data = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null;) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                    arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
            }
        }
        long end = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(List.of("1", "2", "3"), data);
        assertTrue(arrivals.get(0) < 700, "the first event came at once, not with the rest: " + arrivals + ", end " + end);
        assertTrue(arrivals.get(1) - arrivals.get(0) > 500 && arrivals.get(2) - arrivals.get(1) > 500,
                "events arrive as sent: " + arrivals);
        assertTrue(end >= 1500, "the stream lasted as long as upstream sent: " + end);

        // a caller that stops following: the upstream stream is ended too
        HttpRequest endless = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + OP + "/messages/m1/endless"))
                .header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<InputStream> open = HttpClient.newHttpClient().send(endless, HttpResponse.BodyHandlers.ofInputStream());
        InputStream body = open.body();
        assertTrue(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)).readLine().startsWith("data: "));
        body.close();
        assertTrue(streamClosedUpstream.await(10, TimeUnit.SECONDS), "the operator's stream ended when the caller left");
    }

    @Test
    void everythingElseGoesToTheKubernetesApiWithTheTokenAndStreamedBodies() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        ApiFront front = front(ca, RedisServer.freePort(), kubeEcho().actualPort());
        byte[] big = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/api/v1/namespaces/default/configmaps"))
                .header("Authorization", "Bearer " + TOKEN).header("X-Remote-User", "kept-for-kube")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("kube", echo.get("upstream").asText());
        assertEquals(big.length, echo.get("bodyLength").asInt());
        assertEquals("[\"Bearer " + TOKEN + "\"]", echo.get("headers").get("authorization").toString());
        assertEquals("POST", echo.get("method").asText());
    }

    /**
     * A write of our kinds is read whole to be checked, so it is bounded as the kube-apiserver bounds a body (3 MiB):
     * larger ones are refused before anything reaches the embedded API, whether they say their length or not.
     */
    @Test
    void aWriteOfOurKindsLargerThanTheApiServersLimitIsRefused() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        HttpServer kube = kubeEcho();
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        CustomResources crds = CustomResources.of(List.of(yaml.readTree(getClass().getClassLoader()
                .getResource("META-INF/cso/crds/claudesessions.claude.sessionops.dev-v1.yml"))));
        if (frontProxy == null) {
            frontProxy = Pki.client(ca, FRONT_PROXY_CN, List.of());
        }
        ApiFront front = ApiFront.start(new ApiFront.Options("127.0.0.1", 0, URI.create("http://127.0.0.1:" + kube.actualPort()),
                null, new ApiFront.OperatorUpstream("127.0.0.1", 1, ca.certPem(), frontProxy.certPem(), frontProxy.keyPem()),
                AUTH, true, null, crds));
        fronts.add(front);
        URI sessions = URI.create("http://127.0.0.1:" + front.port() + "/apis/claude.sessionops.dev/v1alpha1/namespaces/default/claudesessions");
        byte[] big = ("{\"metadata\":{\"name\":\"" + "x".repeat(ApiFront.MAX_WRITE_BYTES) + "\"}}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> sized = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sessions)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, sized.statusCode(), sized.body());
        assertEquals("RequestEntityTooLarge", JSON.readTree(sized.body()).get("reason").asText());
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sessions)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode(), "no length given: " + chunked.body());
        // a small write that breaks the schema never reaches the embedded API either
        HttpResponse<String> invalid = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sessions)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"s\"},\"spec\":{\"maxTurns\":0}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(422, invalid.statusCode(), invalid.body());
        HttpResponse<String> valid = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sessions)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"s\"},\"spec\":{\"maxTurns\":3}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, valid.statusCode(), valid.body());
        assertEquals("kube", JSON.readTree(valid.body()).get("upstream").asText(), "passed on once checked");
    }

    @Test
    void refusesWithoutTheTokenOrFromAForeignHostWithAKubernetesStatus() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        HttpServer operator = operatorStandIn(ca, Pki.server(ca, "operator", List.of("localhost"), List.of("127.0.0.1")));
        ApiFront front = front(ca, operator.actualPort(), kubeEcho().actualPort());
        for (String path : List.of(OP + "/history", "/api/v1/namespaces/default/secrets")) {
            RawResponse none = raw(front.port(), "127.0.0.1:" + front.port(), null, path);
            RawResponse wrong = raw(front.port(), "127.0.0.1:" + front.port(), "nope", path);
            RawResponse foreign = raw(front.port(), "attacker.example:" + front.port(), TOKEN, path);
            for (RawResponse denied : List.of(none, wrong, foreign)) {
                assertEquals(401, denied.status(), denied.body());
                JsonNode status = JSON.readTree(denied.body());
                assertEquals("Status", status.get("kind").asText());
                assertEquals("v1", status.get("apiVersion").asText());
                assertEquals("Failure", status.get("status").asText());
                assertEquals("Unauthorized", status.get("reason").asText());
                assertEquals(401, status.get("code").asInt());
                assertTrue(status.get("metadata").isObject());
                assertFalse(denied.body().contains(TOKEN));
            }
            assertEquals(200, raw(front.port(), "localhost:" + front.port(), TOKEN, path).status());
        }
    }

    @Test
    void answers503WhileTheOperatorIsDownAndNeverTrustsAnotherServingCertificate() throws Exception {
        Pki.Issued ca = Pki.ca("test CA");
        int kube = kubeEcho().actualPort();
        ApiFront down = front(ca, RedisServer.freePort(), kube);
        HttpResponse<String> r = get(down, OP + "/history", Map.of("Authorization", "Bearer " + TOKEN));
        assertEquals(503, r.statusCode());
        JsonNode status = JSON.readTree(r.body());
        assertEquals("ServiceUnavailable", status.get("reason").asText());
        assertEquals(503, status.get("code").asInt());

        Pki.Issued otherCa = Pki.ca("someone else's CA");
        HttpServer impostor = operatorStandIn(ca, Pki.server(otherCa, "operator", List.of("localhost"), List.of("127.0.0.1")));
        ApiFront front = front(ca, impostor.actualPort(), kube);
        assertEquals(503, get(front, OP + "/history", Map.of("Authorization", "Bearer " + TOKEN)).statusCode());
    }

    // --- stand-ins and helpers

    static final String FRONT_PROXY_CN = "front-proxy-client";
    private Pki.Issued frontProxy;

    private ApiFront front(Pki.Issued ca, int operatorPort, int kubePort) {
        if (frontProxy == null) {
            frontProxy = Pki.client(ca, FRONT_PROXY_CN, List.of());
        }
        ApiFront front = ApiFront.start(new ApiFront.Options("127.0.0.1", 0, URI.create("http://127.0.0.1:" + kubePort), null,
                new ApiFront.OperatorUpstream("127.0.0.1", operatorPort, ca.certPem(), frontProxy.certPem(), frontProxy.keyPem()),
                AUTH, true));
        fronts.add(front);
        return front;
    }

    /** HTTPS, client certificate required (from {@code ca}); echoes, streams events, or streams until the caller leaves. */
    private HttpServer operatorStandIn(Pki.Issued ca, Pki.Issued serving) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(serving.certPem()))
                        .setKeyValue(Buffer.buffer(serving.keyPem())))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca.certPem())))
                .setClientAuth(ClientAuth.REQUIRED);
        return listen(vertx.createHttpServer(options).requestHandler(req -> {
            if (req.path().endsWith("/log")) {
                req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                req.response().write("data: 1\n\n");
                vertx.setTimer(800, t1 -> {
                    req.response().write("data: 2\n\n");
                    vertx.setTimer(800, t2 -> req.response().end("data: 3\n\n"));
                });
            } else if (req.path().endsWith("/endless")) {
                req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
                long timer = vertx.setPeriodic(0, 100, t -> {
                    if (!req.response().closed()) {
                        req.response().write("data: tick\n\n");
                    }
                });
                req.response().closeHandler(v -> {
                    vertx.cancelTimer(timer);
                    streamClosedUpstream.countDown();
                });
            } else {
                String cn;
                try {
                    X509Certificate peer = (X509Certificate) req.sslSession().getPeerCertificates()[0];
                    cn = peer.getSubjectX500Principal().getName().replaceAll(".*CN=([^,]+).*", "$1");
                } catch (Exception e) {
                    cn = "none: " + e;
                }
                req.response().putHeader("X-Upstream-Header", "x").putHeader("Content-Type", "application/json")
                        .end(echo("operator", req, 0).put("clientCN", cn).encode());
            }
        }));
    }

    /** Plain HTTP; echoes method, URI, headers and the body's length. */
    private HttpServer kubeEcho() throws Exception {
        return listen(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body ->
                req.response().putHeader("Content-Type", "application/json").end(echo("kube", req, body.length()).encode()))));
    }

    private static JsonObject echo(String upstream, HttpServerRequest req, int bodyLength) {
        JsonObject headers = new JsonObject();
        for (String name : req.headers().names()) {
            headers.put(name.toLowerCase(java.util.Locale.ROOT), new JsonArray(req.headers().getAll(name)));
        }
        return new JsonObject().put("upstream", upstream).put("uri", req.uri()).put("method", req.method().name())
                .put("headers", headers).put("bodyLength", bodyLength);
    }

    private static HttpServer listen(HttpServer server) throws Exception {
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> get(ApiFront front, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path)).timeout(Duration.ofSeconds(20));
        headers.forEach(b::header);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    record RawResponse(int status, String body) {
    }

    /** java.net.http will not set Host: a socket will. */
    private static RawResponse raw(int port, String host, String token, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            String body = text.substring(bodyStart + 4);
            if (text.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return new RawResponse(status, body);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
    }

    private static ApiFront.User allowed(Object decision) {
        return assertInstanceOf(ApiFront.Decision.Allow.class, decision).user();
    }

    private static void assertDenied(Object decision) {
        assertInstanceOf(ApiFront.Decision.Deny.class, decision);
    }
}
