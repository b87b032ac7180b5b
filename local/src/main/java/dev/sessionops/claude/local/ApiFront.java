package dev.sessionops.claude.local;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * What a cluster's kube-apiserver does for an aggregated API, for local mode: one HTTP endpoint (the kubeconfig's
 * server) that authenticates every request with a bearer token and then
 * <ul>
 * <li>proxies {@code /apis/api.claude.sessionops.dev/<version>/…} to the operator's HTTPS port as the front proxy does: the
 * operator's serving certificate verified against a CA, the front-proxy client certificate presented, the caller's
 * {@code Authorization} and any {@code X-Remote-*} headers removed and the authenticated identity sent as
 * {@code X-Remote-User} / {@code X-Remote-Group}; 503 while the operator does not answer yet;</li>
 * <li>proxies everything else to a Kubernetes API (local mode's embedded one), Authorization kept.</li>
 * </ul>
 * Request and response bodies stream both ways (a Server-Sent Events response reaches the client event by event).
 * A request without a token the authenticator accepts, or whose {@code Host} is not a loopback name (when asked for:
 * a web page in a browser can make requests to 127.0.0.1 but not with such a Host, DNS rebinding), gets a 401
 * Kubernetes {@code Status}.
 * <p>
 * Where the embedded API falls short of a kube-apiserver for kubectl, the front makes up the difference: HTTPS (with
 * {@link Serving}: kubectl sends a token over nothing else), streaming watches bridged to its WebSocket watches
 * ({@link HttpWatch}), lists named by their kind ({@link ListKinds}), Tables for our kinds ({@link ServerSideTable}),
 * writes of our kinds checked against their schemas ({@link ValidatedWrites}). Not supported: WebSocket (or SPDY)
 * upgrades from clients, so no {@code exec} or {@code port-forward}; HTTP/2 is not offered.
 * <p>
 * Its own Vert.x instance, closed by {@link #close()}.
 */
public final class ApiFront implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiFront.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The aggregated API group the operator serves; everything under it goes to the operator. */
    public static final String OPERATOR_GROUP = "api.claude.sessionops.dev";
    static final String OPERATOR_PREFIX = "/apis/" + OPERATOR_GROUP;

    public static final String REMOTE_USER = "X-Remote-User";
    public static final String REMOTE_GROUP = "X-Remote-Group";
    static final String REMOTE_PREFIX = "X-Remote-";
    static final String IMPERSONATE_PREFIX = "Impersonate-";

    /** Hop-by-hop headers (RFC 9110 7.6.1), never forwarded; plus Host, which the upstream connection sets. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "::1");

    /** Who a token belongs to. */
    public record User(String name, List<String> groups) {
        public User {
            Objects.requireNonNull(name, "name");
            groups = List.copyOf(groups);
        }
    }

    /** Maps a bearer token to its user; empty when the token is not accepted. */
    @FunctionalInterface
    public interface Authenticator {
        Optional<User> authenticate(String bearerToken);
    }

    /**
     * The operator's HTTPS port and the TLS material to reach it.
     *
     * @param caPem            the CA the operator's serving certificate chains to
     * @param clientCertPem    the front-proxy client certificate (its CN among the operator's allowed names)
     * @param clientKeyPem     its private key (PKCS#8 PEM)
     */
    public record OperatorUpstream(String host, int port, String caPem, String clientCertPem, String clientKeyPem) {
    }

    /**
     * @param bindHost          the address to listen on (local mode: 127.0.0.1)
     * @param port              the port to listen on (0: any free one, see {@link #port()})
     * @param kubeUpstream      the Kubernetes API for everything but the operator's group ({@code http(s)://host:port})
     * @param kubeUpstreamCaPem for an https kube upstream: the CA to verify it with (null: the JVM's trust store)
     * @param operator          the operator's API
     * @param authenticator     bearer token → user
     * @param loopbackHostOnly  401 for a request whose Host header is not 127.0.0.1, localhost or [::1] (any port)
     */
    public record Options(String bindHost, int port, URI kubeUpstream, String kubeUpstreamCaPem, OperatorUpstream operator,
            Authenticator authenticator, boolean loopbackHostOnly, Serving serving, CustomResources customResources) {
        public Options {
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(kubeUpstream, "kubeUpstream");
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(authenticator, "authenticator");
        }

        /** Plain HTTP, no server-side printing. */
        public Options(String bindHost, int port, URI kubeUpstream, String kubeUpstreamCaPem, OperatorUpstream operator,
                Authenticator authenticator, boolean loopbackHostOnly) {
            this(bindHost, port, kubeUpstream, kubeUpstreamCaPem, operator, authenticator, loopbackHostOnly, null, null);
        }
    }

    /**
     * The front's own serving certificate: with it the front speaks HTTPS only. kubectl sends a bearer token over
     * HTTPS only (kubernetes/kubectl#744), so the front kubectl talks to must be HTTPS.
     */
    public record Serving(String certPem, String keyPem) {
    }

    /** The outcome of checking a request's credentials. */
    sealed interface Decision {
        record Allow(User user) implements Decision {
        }

        record Deny(String reason) implements Decision {
        }
    }

    private final Options options;
    private final Vertx vertx;
    private final HttpClient kubeClient;
    private final HttpClient operatorClient;
    private final HttpServer server;

    private ApiFront(Options options, Vertx vertx, HttpClient kubeClient, HttpClient operatorClient, HttpServer server) {
        this.options = options;
        this.vertx = vertx;
        this.kubeClient = kubeClient;
        this.operatorClient = operatorClient;
        this.server = server;
    }

    /** Starts listening; returns once the port is bound. */
    public static ApiFront start(Options options) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
        try {
            boolean kubeTls = "https".equalsIgnoreCase(options.kubeUpstream().getScheme());
            HttpClientOptions kube = new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true)
                    .setSsl(kubeTls).setVerifyHost(true);
            if (kubeTls && options.kubeUpstreamCaPem() != null) {
                kube.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(options.kubeUpstreamCaPem())));
            }
            OperatorUpstream op = options.operator();
            HttpClientOptions operator = new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true)
                    .setSsl(true).setVerifyHost(true)
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(op.caPem())))
                    .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(op.clientCertPem()))
                            .setKeyValue(Buffer.buffer(op.clientKeyPem())));
            HttpServerOptions serverOptions = new HttpServerOptions().setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false).setDecompressionSupported(false);
            if (options.serving() != null) {
                // HTTP/1.1 only (no ALPN h2): the proxy streams HTTP/1.1 chunks, watches included
                serverOptions.setSsl(true).setUseAlpn(false).setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(options.serving().certPem()))
                        .setKeyValue(Buffer.buffer(options.serving().keyPem())));
            }
            HttpServer server = vertx.createHttpServer(serverOptions);
            ApiFront front = new ApiFront(options, vertx, vertx.createHttpClient(kube), vertx.createHttpClient(operator), server);
            server.requestHandler(front::handle);
            server.listen(options.port(), options.bindHost()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return front;
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the API front cannot listen on " + options.bindHost() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("API front: closing: " + e);
        }
    }

    // --- the decisions, plain functions (unit-tested without a server)

    /** Host first (says nothing about the token), then the token. */
    static Decision authorize(String authorization, List<String> hostHeaders, boolean loopbackHostOnly,
            Authenticator authenticator) {
        if (loopbackHostOnly && (hostHeaders == null || hostHeaders.size() != 1 || !isLoopbackHost(hostHeaders.get(0)))) {
            return new Decision.Deny("the Host header must name this machine's loopback address");
        }
        String token = LocalToken.bearer(authorization);
        if (token == null) {
            return new Decision.Deny("a bearer token is required");
        }
        Optional<User> user = authenticator.authenticate(token);
        return user.<Decision>map(Decision.Allow::new).orElseGet(() -> new Decision.Deny("the bearer token is not accepted"));
    }

    /** {@code 127.0.0.1}, {@code localhost} or {@code [::1]}, with or without a port. */
    static boolean isLoopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name;
        String port = null;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = h.substring(1, end);
            String rest = h.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return false;
                }
                port = rest.substring(1);
            }
        } else {
            int colon = h.indexOf(':');
            if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) {
                return false; // an unbracketed IPv6 literal is no valid Host
            }
            name = colon < 0 ? h : h.substring(0, colon);
            port = colon < 0 ? null : h.substring(colon + 1);
        }
        if (port != null && (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit))) {
            return false;
        }
        return LOOPBACK_HOSTS.contains(name);
    }

    /**
     * True for the operator's group versions: everything under {@code /apis/api.claude.sessionops.dev/}. The group
     * document itself ({@code /apis/api.claude.sessionops.dev}) is the aggregation layer's, as on a cluster: it comes
     * from the Kubernetes API upstream.
     */
    static boolean isOperatorPath(String path) {
        return path != null && path.startsWith(OPERATOR_PREFIX + "/");
    }

    /** Dot segments would let a path mean one thing here and another upstream; nobody sends them legitimately. */
    static boolean hasDotSegments(String path) {
        for (String segment : path.split("/", -1)) {
            String s = segment.toLowerCase(Locale.ROOT);
            if (s.equals(".") || s.equals("..") || s.equals("%2e") || s.equals("%2e%2e") || s.equals(".%2e")
                    || s.equals("%2e.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The headers the operator gets: the caller's, minus hop-by-hop ones, Authorization, every {@code X-Remote-*}
     * (only we say who the caller is) and {@code Impersonate-*}; plus the authenticated user and groups.
     */
    static MultiMap operatorRequestHeaders(MultiMap incoming, User user) {
        MultiMap out = forwardable(incoming);
        out.remove(HttpHeaders.AUTHORIZATION);
        for (String name : List.copyOf(out.names())) {
            if (startsWithIgnoreCase(name, REMOTE_PREFIX) || startsWithIgnoreCase(name, IMPERSONATE_PREFIX)) {
                out.remove(name);
            }
        }
        out.add(REMOTE_USER, user.name());
        user.groups().forEach(g -> out.add(REMOTE_GROUP, g));
        return out;
    }

    /** The headers the Kubernetes API gets: the caller's, Authorization included, minus hop-by-hop ones. */
    static MultiMap kubeRequestHeaders(MultiMap incoming) {
        return forwardable(incoming);
    }

    /** Without hop-by-hop headers, nor those the Connection header names. */
    static MultiMap forwardable(MultiMap headers) {
        Set<String> named = new java.util.HashSet<>();
        for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String token : connection.split(",")) {
                named.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> e : headers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !named.contains(name)) {
                out.add(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** A Kubernetes {@code Status} body, as the API server sends with an error. */
    static String status(int code, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        try {
            return JSON.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- the proxy

    private void handle(HttpServerRequest req) {
        req.pause(); // the body streams to the upstream once it is connected
        Decision decision = authorize(req.headers().get(HttpHeaders.AUTHORIZATION), req.headers().getAll(HttpHeaders.HOST),
                options.loopbackHostOnly(), options.authenticator());
        if (decision instanceof Decision.Deny deny) {
            reply(req, 401, "Unauthorized", "Unauthorized: " + deny.reason());
            return;
        }
        User user = ((Decision.Allow) decision).user();
        if (req.version() == HttpVersion.HTTP_1_0 || hasDotSegments(req.path())) {
            reply(req, 400, "BadRequest", "HTTP/1.1 and a path without dot segments are required");
            return;
        }
        if (isOperatorPath(req.path())) {
            OperatorUpstream op = options.operator();
            forward(req, operatorClient, op.host(), op.port(), true, operatorRequestHeaders(req.headers(), user),
                    503, "ServiceUnavailable", "the operator's API is not available yet");
        } else {
            URI kube = options.kubeUpstream();
            boolean tls = "https".equalsIgnoreCase(kube.getScheme());
            int port = kube.getPort() > 0 ? kube.getPort() : tls ? 443 : 80;
            Optional<List<ServerSideTable.Column>> columns = options.customResources() == null ? Optional.empty()
                    : options.customResources().columnsFor(req.path());
            boolean table = req.method() == HttpMethod.GET && columns.isPresent()
                    && ServerSideTable.wantsTable(req.headers().get(HttpHeaders.ACCEPT));
            ServerSideTable.IncludeObject include;
            try {
                include = ServerSideTable.IncludeObject.of(req.getParam("includeObject"));
            } catch (IllegalArgumentException e) {
                reply(req, 400, "BadRequest", e.getMessage());
                return;
            }
            MultiMap headers = kubeRequestHeaders(req.headers());
            Optional<CustomResources.Target> written = options.customResources() == null ? Optional.empty()
                    : options.customResources().forPath(req.path());
            boolean write = req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT
                    || req.method() == HttpMethod.PATCH || req.method() == HttpMethod.DELETE;
            if (write && req.getParam("dryRun") != null && (written.isEmpty() || req.method() == HttpMethod.DELETE)) {
                // the embedded API would carry the write out: fail closed rather than pretend
                reply(req, 400, "BadRequest", "local mode runs dry runs only for creating, replacing and patching "
                        + "ClaudeSessions and ClaudeMessages");
                return;
            }
            if (written.isPresent() && (req.method() == HttpMethod.POST && written.get().name() == null
                    || (req.method() == HttpMethod.PUT || req.method() == HttpMethod.PATCH) && written.get().name() != null)) {
                validatedWrite(req, kube, port, tls, headers, written.get());
                return;
            }
            if (table) {
                headers.set(HttpHeaders.ACCEPT, "application/json");
            }
            if (req.method() == HttpMethod.GET && isWatch(req.getParam("watch"))) {
                HttpWatch.bridge(req, kubeClient, kube.getHost(), port, tls, headers, HttpWatch.since(req.getParam("resourceVersion")),
                        table ? event -> ServerSideTable.watchEvent(event, columns.get(), include, Instant.now()) : null);
            } else if (req.method() == HttpMethod.GET && (table || isCollectionPath(req.path()))) {
                rewritten(req, kube, port, tls, headers, json -> {
                    JsonNode list = ListKinds.named(json);
                    return table ? ServerSideTable.of(list, columns.get(), include, Instant.now()) : list;
                }, table ? ServerSideTable.CONTENT_TYPE : "application/json");
            } else {
                forward(req, kubeClient, kube.getHost(), port, tls, headers,
                        502, "InternalError", "the Kubernetes API is not reachable");
            }
        }
    }

    /** {@code watch=true} or {@code watch=1}, as the API server reads the parameter. */
    static boolean isWatch(String param) {
        return "true".equalsIgnoreCase(param) || "1".equals(param);
    }

    /**
     * A write of one of our custom resources, checked as the API server would before it is stored (the embedded API
     * checks nothing): the body read whole, for a patch the current object read, the result validated
     * ({@link ValidatedWrites}); then the write goes upstream as it came, or the caller gets the API server's refusal.
     */
    private void validatedWrite(HttpServerRequest req, URI kube, int port, boolean tls, MultiMap headers,
            CustomResources.Target target) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && (!length.chars().allMatch(Character::isDigit) || length.length() > 12
                || Long.parseLong(length) > MAX_WRITE_BYTES)) {
            reply(req, 413, "RequestEntityTooLarge", "the request body is larger than " + MAX_WRITE_BYTES + " bytes");
            return;
        }
        Buffer received = Buffer.buffer();
        boolean[] refused = new boolean[1];
        req.handler(chunk -> {
            // a chunked body has no length to check up front: stop reading once it is too large
            if (!refused[0] && received.length() + chunk.length() > MAX_WRITE_BYTES) {
                refused[0] = true;
                reply(req, 413, "RequestEntityTooLarge", "the request body is larger than " + MAX_WRITE_BYTES + " bytes");
            } else if (!refused[0]) {
                received.appendBuffer(chunk);
            }
        });
        req.exceptionHandler(e -> reply(req, 400, "BadRequest", "the request body could not be read"));
        req.endHandler(end -> {
            if (refused[0]) {
                return;
            }
            byte[] body = received.getBytes();
            String method = req.method().name();
            String contentType = req.getHeader(HttpHeaders.CONTENT_TYPE);
            var current = method.equals("PATCH") ? currentObject(req.path(), kube, port, tls, headers)
                    : io.vertx.core.Future.<JsonNode>succeededFuture(null);
            current.onComplete(got -> {
                if (got.failed()) {
                    reply(req, 502, "InternalError", "the Kubernetes API is not reachable");
                    return;
                }
                ValidatedWrites.Verdict verdict;
                JsonNode[] result = new JsonNode[1];
                try {
                    result[0] = ValidatedWrites.resulting(method, contentType, body, got.result());
                    verdict = ValidatedWrites.check(target.resource(), target.name(), result[0], req.getParam("fieldValidation"));
                } catch (ValidatedWrites.BadWrite e) {
                    reply(req, e.code, e.reason, e.getMessage());
                    return;
                }
                if (verdict instanceof ValidatedWrites.Verdict.Refuse refuse) {
                    req.response().setStatusCode(refuse.code()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                            .end(refuse.status());
                    return;
                }
                List<String> warnings = ((ValidatedWrites.Verdict.Allow) verdict).warnings();
                if (req.getParam("dryRun") != null) {
                    if (!"All".equals(req.getParam("dryRun"))) {
                        reply(req, 400, "BadRequest", "dryRun must be All");
                        return;
                    }
                    // checked, not stored: the object as the write would leave it
                    warnings.forEach(w -> req.response().headers().add("Warning", ValidatedWrites.warningHeader(w)));
                    req.response().setStatusCode(method.equals("POST") ? 201 : 200)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(resultJson(result[0]));
                    return;
                }
                RequestOptions upstream = new RequestOptions().setMethod(req.method()).setHost(kube.getHost()).setPort(port)
                        .setSsl(tls).setURI(req.uri()).setHeaders(headers);
                kubeClient.request(upstream).compose(r -> r.send(Buffer.buffer(body))).onComplete(answered -> {
                    if (answered.failed()) {
                        reply(req, 502, "InternalError", "the Kubernetes API is not reachable");
                        return;
                    }
                    warnings.forEach(w -> req.response().headers().add("Warning", ValidatedWrites.warningHeader(w)));
                    relay(req, answered.result(), req.response());
                });
            });
        });
        req.resume(); // paused since it came in: the handlers are in place
    }

    private static String resultJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The object a patch applies to; null when there is none (404). */
    private io.vertx.core.Future<JsonNode> currentObject(String path, URI kube, int port, boolean tls, MultiMap headers) {
        MultiMap get = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        get.remove(HttpHeaders.CONTENT_TYPE);
        get.remove(HttpHeaders.CONTENT_LENGTH);
        get.set(HttpHeaders.ACCEPT, "application/json");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(kube.getHost()).setPort(port)
                .setSsl(tls).setURI(path).setHeaders(get);
        return kubeClient.request(options).compose(r -> r.send()).compose(r -> r.body().map(b -> {
            if (r.statusCode() != 200) {
                return null;
            }
            try {
                return JSON.readTree(b.getBytes());
            } catch (java.io.IOException e) {
                return null;
            }
        }));
    }

    /** {@code /api/v1[/namespaces/<ns>]/<plural>} or {@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>}: a list. */
    /** The kube-apiserver's limit on a request body (3 MiB): writes of our kinds are read whole to be checked. */
    static final int MAX_WRITE_BYTES = 3 * 1024 * 1024;

    static boolean isCollectionPath(String path) {
        return path != null && COLLECTION.matcher(path).matches();
    }

    private static final java.util.regex.Pattern COLLECTION = java.util.regex.Pattern.compile(
            "/(api/v1|apis/[a-z0-9.-]+/[a-z0-9]+)(/namespaces/[a-z0-9.-]+)?/[a-z0-9]+");

    /**
     * A GET whose answer is changed before it goes back (a list named by its kind, server-side printing): the
     * upstream's JSON, read whole (lists of local mode's size), rewritten, sent. An error answer goes back as it came.
     */
    private void rewritten(HttpServerRequest req, URI kube, int port, boolean tls, MultiMap headers,
            java.util.function.UnaryOperator<JsonNode> rewrite, String contentType) {
        RequestOptions upstream = new RequestOptions().setMethod(HttpMethod.GET).setHost(kube.getHost()).setPort(port)
                .setSsl(tls).setURI(req.uri()).setHeaders(headers);
        req.resume();
        kubeClient.request(upstream).compose(r -> r.send()).compose(r -> r.body().map(body -> Map.entry(r, body)))
                .onComplete(done -> {
                    if (done.failed()) {
                        reply(req, 502, "InternalError", "the Kubernetes API is not reachable");
                        return;
                    }
                    HttpClientResponse r = done.result().getKey();
                    Buffer body = done.result().getValue();
                    HttpServerResponse response = req.response();
                    if (r.statusCode() != 200) {
                        response.setStatusCode(r.statusCode()).headers().addAll(forwardable(r.headers()));
                        response.end(body);
                        return;
                    }
                    String converted;
                    try {
                        converted = JSON.writeValueAsString(rewrite.apply(JSON.readTree(body.getBytes())));
                    } catch (java.io.IOException | RuntimeException e) {
                        reply(req, 500, "InternalError", "cannot rewrite the response: " + e.getMessage());
                        return;
                    }
                    response.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(converted);
                });
    }

    private void forward(HttpServerRequest req, HttpClient client, String host, int port, boolean tls, MultiMap headers,
            int unavailableCode, String unavailableReason, String unavailableMessage) {
        RequestOptions upstream = new RequestOptions().setMethod(req.method()).setHost(host).setPort(port).setSsl(tls)
                .setURI(req.uri()).setHeaders(headers);
        client.request(upstream).onComplete(connected -> {
            if (connected.failed()) {
                LOG.fine(() -> "API front: " + host + ":" + port + " unreachable: " + connected.cause());
                reply(req, unavailableCode, unavailableReason, unavailableMessage);
                return;
            }
            HttpClientRequest out = connected.result();
            HttpServerResponse response = req.response();
            // the caller went away (e.g. stopped following an event stream): so does the upstream request
            response.closeHandler(v -> out.reset());
            boolean hasBody = req.headers().contains(HttpHeaders.CONTENT_LENGTH) || req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            var sent = hasBody ? out.send(req) : out.send();
            if (!hasBody) {
                req.resume();
            }
            sent.onComplete(answered -> {
                if (answered.failed()) {
                    if (!response.headWritten()) {
                        reply(req, unavailableCode, unavailableReason, unavailableMessage);
                    } else {
                        response.reset();
                    }
                    return;
                }
                relay(req, answered.result(), response);
            });
        });
    }

    private static void relay(HttpServerRequest req, HttpClientResponse in, HttpServerResponse response) {
        response.setStatusCode(in.statusCode());
        if (in.statusMessage() != null) {
            response.setStatusMessage(in.statusMessage());
        }
        response.headers().addAll(forwardable(in.headers()));
        boolean bodyless = req.method() == HttpMethod.HEAD || in.statusCode() == 204 || in.statusCode() == 304
                || in.statusCode() < 200;
        if (!bodyless && !response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            response.setChunked(true); // streamed as it comes: an event stream has no length
        }
        in.pipeTo(response).onFailure(e -> {
            LOG.fine(() -> "API front: relaying " + req.path() + ": " + e);
            response.reset();
        });
    }

    private static void reply(HttpServerRequest req, int code, String reason, String message) {
        req.resume(); // drain whatever body came with it
        HttpServerResponse response = req.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (code == 401) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(status(code, reason, message));
    }
}
