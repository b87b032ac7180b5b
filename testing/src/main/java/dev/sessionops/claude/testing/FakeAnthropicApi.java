package dev.sessionops.claude.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A scriptable fake of the Anthropic Messages API on 127.0.0.1, so the real {@code claude} CLI can run without
 * network ({@code ANTHROPIC_BASE_URL=baseUrl()}). It is only the API: the CLI's own output is never faked.
 *
 * <p>Script, decided from the last user message of each {@code POST /v1/messages}:
 * <ul>
 *   <li>it carries a {@code tool_result}: text {@code Tool result: ok} or {@code Tool result: error: <text>};</li>
 *   <li>{@code [[sleep <ms>]]}: waits that long first, then applies the rest of the script;</li>
 *   <li>{@code [[error <status> <message>]]}: an HTTP error in the API's error JSON shape;</li>
 *   <li>{@code [[error-of-size <status> <bytes>]]}: the same with a message of that many characters (a prompt that
 *       long would not fit in the CLI's argv);</li>
 *   <li>{@code [[fail-first <n> <status> <message>]]}: the same error, at once, for the first {@code n} requests of
 *       the conversation that carry this prompt (counted per CLI session id and prompt text, so a retry counts and a
 *       new conversation starts again), then the rest of the script answers; e.g. {@code [[fail-first 4 500
 *       Internal error]]} makes the CLI retry four times (it retries 429, 529 and 5xx, announcing each retry as a
 *       {@code system/api_retry} event) before it gets its answer. CLI 2.1.330 gives up on the third 529 in a row
 *       whatever its retry count, so at most 2 for 529;</li>
 *   <li>{@code [[poison <status> <message>]]} in <em>any</em> user message of the request, not only the last: the
 *       same error, as an API does for a request it refuses whatever follows (a failed turn resent later fails
 *       again);</li>
 *   <li>{@code [[write <absolute-path> <content...>]]}: a {@code tool_use} of the {@code Write} tool;</li>
 *   <li>{@code [[tool <Name> <json-input>]]}: a {@code tool_use} of any tool, e.g.
 *       {@code [[tool Bash {"command":"echo hi"}]]};</li>
 *   <li>otherwise text {@code Received <n> messages. Last: <last user text>}, where n counts the request's
 *       {@code user} and {@code assistant} entries only: the CLI may insert {@code role: system} entries
 *       mid-list, which are not conversation turns.</li>
 * </ul>
 * {@link #setResponder} can override the script per request. Every reply reports the same non-zero usage
 * ({@link #USAGE}) so cost and token totals can be asserted.
 */
public final class FakeAnthropicApi implements AutoCloseable {

    /** Token usage of every reply: input, output, cache creation, cache read. */
    public static final long[] USAGE = {120, 30, 10, 5};

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SLEEP = Pattern.compile("\\[\\[sleep (\\d+)]]");
    private static final Pattern ERROR = Pattern.compile("\\[\\[error (\\d{3}) (.*?)]]", Pattern.DOTALL);
    private static final Pattern ERROR_OF_SIZE = Pattern.compile("\\[\\[error-of-size (\\d{3}) (\\d{1,9})]]");
    private static final Pattern FAIL_FIRST = Pattern.compile("\\[\\[fail-first (\\d{1,4}) (\\d{3}) (.*?)]]", Pattern.DOTALL);
    private static final Pattern POISON = Pattern.compile("\\[\\[poison (\\d{3}) (.*?)]]", Pattern.DOTALL);
    private static final Pattern WRITE = Pattern.compile("\\[\\[write (/\\S+) (.*?)]]", Pattern.DOTALL);
    private static final Pattern TOOL = Pattern.compile("\\[\\[tool (\\w+) (\\{.*?})]]", Pattern.DOTALL);

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** {@code [[fail-first]]}: the requests seen, by CLI session id and prompt. */
    private final Map<String, AtomicInteger> failFirstSeen = new ConcurrentHashMap<>();
    private volatile Function<Request, Reply> responder = request -> null;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * One recorded HTTP request; {@code body} is null when it was not JSON; {@code headers} by lower-case name (what a
     * credential gateway forwarded, e.g. {@code x-api-key}).
     */
    public record Request(String method, String path, String query, JsonNode body, Map<String, List<String>> headers) {

        /** Every value of a header (by any case of its name). */
        public List<String> header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
        }

        public boolean isMessages() {
            return "POST".equals(method) && "/v1/messages".equals(path);
        }

        public boolean stream() {
            return body != null && body.path("stream").asBoolean(false);
        }

        /** The {@code user} and {@code assistant} entries of {@code messages} (system entries are skipped). */
        public int conversationLength() {
            int n = 0;
            for (JsonNode m : body.path("messages")) {
                String role = m.path("role").asText();
                if (role.equals("user") || role.equals("assistant")) {
                    n++;
                }
            }
            return n;
        }

        /** The CLI's session id, from the {@code metadata.user_id} JSON it sends (empty when there is none). */
        public String sessionId() {
            String userId = body.path("metadata").path("user_id").asText("");
            try {
                return userId.startsWith("{") ? JSON.readTree(userId).path("session_id").asText("") : "";
            } catch (IOException e) {
                return "";
            }
        }

        /** The last user entry of {@code messages}, or a missing node. */
        public JsonNode lastUserMessage() {
            JsonNode last = JSON.missingNode();
            for (JsonNode m : body.path("messages")) {
                if (m.path("role").asText().equals("user")) {
                    last = m;
                }
            }
            return last;
        }

        /**
         * The last text block of the last user message, skipping the {@code <system-reminder>} blocks the CLI
         * adds next to the prompt.
         */
        public String lastUserText() {
            JsonNode content = lastUserMessage().path("content");
            if (content.isTextual()) {
                return content.asText();
            }
            String text = "";
            for (JsonNode block : content) {
                String t = block.path("text").asText();
                if (block.path("type").asText().equals("text") && !t.startsWith("<system-reminder>")) {
                    text = t;
                }
            }
            return text;
        }

        /** Every text of every user message (string content and text blocks), in order. */
        public List<String> userTexts() {
            List<String> texts = new ArrayList<>();
            for (JsonNode m : body.path("messages")) {
                if (!m.path("role").asText().equals("user")) {
                    continue;
                }
                JsonNode content = m.path("content");
                if (content.isTextual()) {
                    texts.add(content.asText());
                }
                for (JsonNode block : content) {
                    if (block.path("type").asText().equals("text")) {
                        texts.add(block.path("text").asText());
                    }
                }
            }
            return texts;
        }

        /** The {@code tool_result} block of the last user message, or a missing node. */
        public JsonNode lastToolResult() {
            for (JsonNode block : lastUserMessage().path("content")) {
                if (block.path("type").asText().equals("tool_result")) {
                    return block;
                }
            }
            return JSON.missingNode();
        }
    }

    /** What to answer a message request with; {@code delayMs} is waited before answering. */
    public record Reply(int status, String text, String toolName, JsonNode toolInput, String error, long delayMs) {

        public static Reply text(String text) {
            return new Reply(200, text, null, null, null, 0);
        }

        /** {@code input}: a Map or a JsonNode of the tool's input object. */
        public static Reply toolUse(String name, Object input) {
            JsonNode node = JSON.valueToTree(input);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("tool input must be a JSON object: " + input);
            }
            return new Reply(200, null, name, node, null, 0);
        }

        public static Reply error(int status, String message) {
            return new Reply(status, null, null, null, message, 0);
        }

        public Reply delayed(long ms) {
            return new Reply(status, text, toolName, toolInput, error, ms);
        }
    }

    public FakeAnthropicApi start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // a thread per request: a [[sleep]] reply must not hold up the CLI's other requests
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-anthropic-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Overrides the script: a non-null reply wins, null falls back to the script. */
    public void setResponder(Function<Request, Reply> responder) {
        this.responder = responder == null ? request -> null : responder;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> messageRequests() {
        return requests.stream().filter(Request::isMessages).toList();
    }

    /** Forgets the recorded requests, the responder and the {@code [[fail-first]]} counts. */
    public void reset() {
        requests.clear();
        failFirstSeen.clear();
        setResponder(null);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] raw = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT),
                    List.copyOf(values)));
            Request request = new Request(method, path, exchange.getRequestURI().getRawQuery(), parse(raw), headers);
            requests.add(request);
            if (method.equals("GET") || method.equals("HEAD")) {
                sendJson(exchange, 200, JSON.createObjectNode());
            } else if (request.isMessages() && request.body() != null) {
                try {
                    answer(exchange, request);
                } catch (RuntimeException e) {
                    // a 400, which the CLI gives up on quickly; a 5xx would be retried for minutes
                    sendJson(exchange, 400, errorBody("invalid_request_error", "FakeAnthropicApi failed: " + e));
                }
            } else if (method.equals("POST") && path.equals("/v1/messages/count_tokens")) {
                sendJson(exchange, 200, JSON.createObjectNode().put("input_tokens", USAGE[0]));
            } else {
                sendJson(exchange, 404, errorBody("not_found_error", "Not found: " + method + " " + path));
            }
        }
    }

    private void answer(HttpExchange exchange, Request request) throws IOException {
        Reply reply = responder.apply(request);
        if (reply == null) {
            reply = failFirst(request);
        }
        if (reply == null) {
            reply = script(request);
        }
        if (reply.delayMs() > 0) {
            try {
                Thread.sleep(reply.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (reply.error() != null) {
            sendJson(exchange, reply.status(), errorBody(errorType(reply.status()), reply.error()));
            return;
        }
        String model = request.body().path("model").asText("claude-fake");
        String id = "msg_fake_" + ids.incrementAndGet();
        ObjectNode block = reply.toolName() != null ? toolUseBlock(reply) : textBlock(reply.text());
        String stopReason = reply.toolName() != null ? "tool_use" : "end_turn";
        if (request.stream()) {
            new SseReply(exchange).send(id, model, block, stopReason);
        } else {
            ObjectNode message = SseReply.message(id, model, stopReason, USAGE[1]);
            message.putArray("content").add(block);
            sendJson(exchange, 200, message);
        }
    }

    /** {@code [[fail-first <n> <status> <message>]]}: its error while the conversation has sent it at most n times. */
    private Reply failFirst(Request request) {
        String text = request.lastUserText();
        Matcher failing = FAIL_FIRST.matcher(text);
        if (!request.lastToolResult().isMissingNode() || !failing.find()) {
            return null;
        }
        int seen = failFirstSeen.computeIfAbsent(request.sessionId() + "\n" + text, k -> new AtomicInteger())
                .incrementAndGet();
        return seen <= Integer.parseInt(failing.group(1)) ? Reply.error(Integer.parseInt(failing.group(2)), failing.group(3))
                : null;
    }

    /** The built-in script (see the class comment). */
    static Reply script(Request request) {
        JsonNode toolResult = request.lastToolResult();
        if (!toolResult.isMissingNode()) {
            return Reply.text(toolResult.path("is_error").asBoolean(false)
                    ? "Tool result: error: " + toolResultText(toolResult)
                    : "Tool result: ok");
        }
        for (String earlier : request.userTexts()) {
            Matcher poison = POISON.matcher(earlier);
            if (poison.find()) {
                return Reply.error(Integer.parseInt(poison.group(1)), poison.group(2));
            }
        }
        String text = request.lastUserText();
        Matcher sleep = SLEEP.matcher(text);
        long delay = sleep.find() ? Long.parseLong(sleep.group(1)) : 0;
        Matcher error = ERROR.matcher(text);
        Matcher sized = ERROR_OF_SIZE.matcher(text);
        Matcher write = WRITE.matcher(text);
        Matcher tool = TOOL.matcher(text);
        Reply reply;
        if (sized.find()) {
            reply = Reply.error(Integer.parseInt(sized.group(1)), "x".repeat(Integer.parseInt(sized.group(2))));
        } else if (error.find()) {
            reply = Reply.error(Integer.parseInt(error.group(1)), error.group(2));
        } else if (write.find()) {
            reply = Reply.toolUse("Write", Map.of("file_path", write.group(1), "content", write.group(2)));
        } else if (tool.find()) {
            reply = Reply.toolUse(tool.group(1), parse(tool.group(2).getBytes(StandardCharsets.UTF_8)));
        } else {
            reply = Reply.text("Received " + request.conversationLength() + " messages. Last: " + text);
        }
        return reply.delayed(delay);
    }

    private static String toolResultText(JsonNode toolResult) {
        JsonNode content = toolResult.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        content.forEach(b -> parts.add(b.path("text").asText()));
        return String.join("\n", parts);
    }

    private ObjectNode toolUseBlock(Reply reply) {
        ObjectNode block = JSON.createObjectNode().put("type", "tool_use")
                .put("id", "toolu_fake_" + ids.incrementAndGet()).put("name", reply.toolName());
        block.set("input", reply.toolInput());
        return block;
    }

    private static ObjectNode textBlock(String text) {
        return JSON.createObjectNode().put("type", "text").put("text", text);
    }

    /** The error {@code type} the real API gives with that status. */
    static String errorType(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    private static ObjectNode errorBody(String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body;
    }

    private static JsonNode parse(byte[] raw) {
        try {
            return raw.length == 0 ? null : JSON.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("request-id", "req_fake");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Writes one message as the event stream the real API sends for {@code "stream": true}. */
    private static final class SseReply {
        private final HttpExchange exchange;

        SseReply(HttpExchange exchange) {
            this.exchange = exchange;
        }

        static ObjectNode message(String id, String model, String stopReason, long outputTokens) {
            ObjectNode m = JSON.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
                    .put("model", model);
            m.putArray("content");
            m.put("stop_reason", stopReason).putNull("stop_sequence");
            m.putObject("usage").put("input_tokens", USAGE[0]).put("cache_creation_input_tokens", USAGE[2])
                    .put("cache_read_input_tokens", USAGE[3]).put("output_tokens", outputTokens);
            return m;
        }

        void send(String id, String model, ObjectNode block, String stopReason) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("request-id", "req_fake");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                ObjectNode start = JSON.createObjectNode().put("type", "message_start");
                // the real stream starts with no stop reason and 1 output token, the totals come in message_delta
                start.set("message", message(id, model, null, 1));
                event(out, "message_start", start);
                ObjectNode empty = block.deepCopy();
                if (empty.has("text")) {
                    empty.put("text", "");
                } else {
                    empty.putObject("input");
                }
                event(out, "content_block_start", JSON.createObjectNode().put("type", "content_block_start")
                        .put("index", 0).set("content_block", empty));
                event(out, "ping", JSON.createObjectNode().put("type", "ping"));
                ObjectNode delta = block.has("text")
                        ? JSON.createObjectNode().put("type", "text_delta").put("text", block.get("text").asText())
                        : JSON.createObjectNode().put("type", "input_json_delta")
                                .put("partial_json", JSON.writeValueAsString(block.get("input")));
                event(out, "content_block_delta", JSON.createObjectNode().put("type", "content_block_delta")
                        .put("index", 0).set("delta", delta));
                event(out, "content_block_stop",
                        JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
                ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
                messageDelta.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
                messageDelta.putObject("usage").put("input_tokens", USAGE[0])
                        .put("cache_creation_input_tokens", USAGE[2]).put("cache_read_input_tokens", USAGE[3])
                        .put("output_tokens", USAGE[1]);
                event(out, "message_delta", messageDelta);
                event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
            }
        }

        private static void event(OutputStream out, String name, JsonNode data) throws IOException {
            out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** Runs the fake on its own, for exploring the CLI by hand: prints the base URL, then every request. */
    public static void main(String[] args) throws Exception {
        try (FakeAnthropicApi api = new FakeAnthropicApi().start()) {
            System.out.println(api.baseUrl());
            for (int seen = 0; ; Thread.sleep(100)) {
                List<Request> all = api.requests();
                for (; seen < all.size(); seen++) {
                    Request r = all.get(seen);
                    System.out.println(r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query())
                            + " " + (r.body() == null ? "" : r.body()));
                }
            }
        }
    }
}
