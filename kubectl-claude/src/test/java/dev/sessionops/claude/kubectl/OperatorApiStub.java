package dev.sessionops.claude.kubectl;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stub of <b>this project's own</b> operator HTTP API (not of Claude's API), following the contract branch
 * {@code http} implements, so the CLI can be tested before that lands: {@code GET /apis/api.claude.sessionops.dev/v1alpha1/namespaces/{ns}/sessions},
 * {@code …/sessions/{name}}, {@code …/sessions/{name}/history?offset&limit}, {@code …/messages/{name}},
 * {@code …/messages/{name}/log} (Server-Sent Events, {@code Last-Event-ID}), errors as
 * {@code {"status","reason","message"}}. The data comes from a {@link Backend}: canned in unit tests, the harness's
 * real cluster state and Redis in {@code KubectlClaudeIT}. With a required token it answers 401 to requests
 * without {@code Authorization: Bearer <token>}, as the real API does after its TokenReview.
 */
final class OperatorApiStub implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile(
            "^/apis/api.claude.sessionops.dev/v1alpha1/namespaces/([^/]+)/(sessions|messages)(?:/([^/]+))?(?:/(history|log))?$");

    /** Where the stub's answers come from; empty means 404. */
    interface Backend {
        List<ObjectNode> sessions(String ns);

        Optional<ObjectNode> session(String ns, String name);

        /** All entries, oldest first, each {@code {role, content, timestamp, sessionId}}. */
        Optional<List<ObjectNode>> history(String ns, String name);

        Optional<ObjectNode> message(String ns, String name);

        /**
         * Sends the message's events from after {@code lastEventId} (null: from the start) until its {@code result},
         * or a single {@code status} event for a finished message without events.
         */
        void events(String ns, String name, String lastEventId, EventSink sink) throws IOException;
    }

    interface EventSink {
        void send(String id, String event, String data) throws IOException;
    }

    /** What the stub saw, for assertions (no header values are kept, so no token is ever printed). */
    record Seen(String path, boolean authorized, String lastEventId) {
    }

    private final Backend backend;
    private final String requiredToken;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "operator-api-stub");
        t.setDaemon(true);
        return t;
    });

    OperatorApiStub(Backend backend, String requiredToken) throws IOException {
        this.backend = backend;
        this.requiredToken = requiredToken;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean authorized = requiredToken == null || ("Bearer " + requiredToken).equals(auth);
            String lastEventId = ex.getRequestHeaders().getFirst("Last-Event-ID");
            seen.add(new Seen(ex.getRequestURI().getPath(), authorized, lastEventId));
            if (!authorized) {
                error(ex, 401, "Unauthorized", "a valid bearer token is required");
                return;
            }
            Matcher m = PATH.matcher(ex.getRequestURI().getRawPath());
            if (!"GET".equals(ex.getRequestMethod()) || !m.matches()) {
                error(ex, 404, "NotFound", "no such endpoint " + ex.getRequestURI().getPath());
                return;
            }
            String ns = decode(m.group(1));
            String kind = m.group(2);
            String name = m.group(3) == null ? null : decode(m.group(3));
            String sub = m.group(4);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (kind.equals("sessions") && name == null && sub == null) {
                ObjectNode body = JSON.createObjectNode();
                body.putArray("items").addAll(backend.sessions(ns));
                json(ex, 200, body);
            } else if (kind.equals("sessions") && name != null && sub == null) {
                found(ex, backend.session(ns, name), "claudesession", name);
            } else if (kind.equals("sessions") && "history".equals(sub)) {
                history(ex, ns, name, query);
            } else if (kind.equals("messages") && name != null && sub == null) {
                found(ex, backend.message(ns, name), "claudemessage", name);
            } else if (kind.equals("messages") && "log".equals(sub)) {
                events(ex, ns, name, lastEventId);
            } else {
                error(ex, 404, "NotFound", "no such endpoint " + ex.getRequestURI().getPath());
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (a stopped follower): nothing to answer
        }
    }

    private void history(HttpExchange ex, String ns, String name, Map<String, String> query) throws IOException {
        Optional<List<ObjectNode>> all = backend.history(ns, name);
        if (all.isEmpty()) {
            notFound(ex, "claudesession", name);
            return;
        }
        long offset;
        long limit;
        try {
            offset = Long.parseLong(query.getOrDefault("offset", "0"));
            limit = Long.parseLong(query.getOrDefault("limit", "50"));
        } catch (NumberFormatException e) {
            error(ex, 400, "BadRequest", "offset and limit must be numbers");
            return;
        }
        if (offset < 0 || limit < 0) {
            error(ex, 400, "BadRequest", "offset and limit must not be negative");
            return;
        }
        List<ObjectNode> entries = all.get();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("items");
        entries.stream().skip(offset).limit(limit).forEach(items::add);
        body.put("offset", offset);
        body.put("limit", limit);
        body.put("total", entries.size());
        json(ex, 200, body);
    }

    private void events(HttpExchange ex, String ns, String name, String lastEventId) throws IOException {
        if (backend.message(ns, name).isEmpty()) {
            notFound(ex, "claudemessage", name);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        backend.events(ns, name, lastEventId, (id, event, data) -> {
            StringBuilder s = new StringBuilder();
            if (id != null) {
                s.append("id: ").append(id).append('\n');
            }
            s.append("event: ").append(event).append('\n');
            data.lines().forEach(l -> s.append("data: ").append(l).append('\n'));
            s.append('\n');
            out.write(s.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        });
    }

    private static void found(HttpExchange ex, Optional<ObjectNode> value, String kind, String name) throws IOException {
        if (value.isPresent()) {
            json(ex, 200, value.get());
        } else {
            notFound(ex, kind, name);
        }
    }

    /** A NotFound naming its object, as the operator answers (a 404 without details is the API server's). */
    static void notFound(HttpExchange ex, String kind, String name) throws IOException {
        ObjectNode body = status(404, "NotFound", kind + " \"" + name + "\" not found");
        body.putObject("details").put("name", name).put("kind", kind);
        json(ex, 404, body);
    }

    static void error(HttpExchange ex, int status, String reason, String message) throws IOException {
        json(ex, status, status(status, reason, message));
    }

    private static ObjectNode status(int status, String reason, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("kind", "Status");
        body.put("apiVersion", "v1");
        body.put("status", "Failure");
        body.put("code", status);
        body.put("reason", reason);
        body.put("message", message);
        return body;
    }

    static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                q.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
