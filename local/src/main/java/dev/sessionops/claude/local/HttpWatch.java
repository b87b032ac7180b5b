package dev.sessionops.claude.local;

import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.logging.Logger;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A watch as kubectl makes it (a plain GET with {@code watch=true}, answered by a chunked stream of JSON events, one
 * per line) served from an API that watches over WebSocket only (the embedded API: Fabric8's mock server refuses a
 * watch without an upgrade). Each WebSocket text message is one event, written as one line; either side closing ends
 * the other.
 */
final class HttpWatch {
    private static final Logger LOG = Logger.getLogger(HttpWatch.class.getName());

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private HttpWatch() {
    }

    /** A watch's {@code resourceVersion} as a number; 0 (everything) when absent, "0" or not a number. */
    static long since(String resourceVersion) {
        try {
            return resourceVersion == null ? 0 : Math.max(0, Long.parseLong(resourceVersion));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** True for an event about an object whose version is not after {@code since}. */
    static boolean isReplay(JsonNode event, long since) {
        if (since <= 0) {
            return false;
        }
        try {
            String rv = event.path("object").path("metadata").path("resourceVersion").asText("");
            return !rv.isEmpty() && Long.parseLong(rv) <= since;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The event as JSON; null when it is not (then it goes on as it came). */
    static JsonNode parse(String event) {
        try {
            return JSON.readTree(event);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * @param since     the request's {@code resourceVersion}: events about objects at or before it are not sent (the
     *                  embedded API replays every object as ADDED; a watch from a list's version must not repeat it)
     * @param transform rewrites each event (e.g. into a Table), or null
     */
    static void bridge(HttpServerRequest req, HttpClient client, String host, int port, boolean tls, MultiMap headers,
            long since, Function<JsonNode, String> transform) {
        WebSocketConnectOptions upstream = new WebSocketConnectOptions().setHost(host).setPort(port).setSsl(tls)
                .setURI(req.uri());
        headers.forEach(h -> {
            // the WebSocket handshake sets its own; an Accept for Tables is answered here, not upstream
            if (!h.getKey().toLowerCase(Locale.ROOT).startsWith("sec-websocket")) {
                upstream.addHeader(h.getKey(), h.getValue());
            }
        });
        req.resume();
        HttpServerResponse response = req.response();
        client.webSocket(upstream).onComplete(connected -> {
            if (connected.failed()) {
                Throwable cause = connected.cause();
                int status = cause instanceof UpgradeRejectedException rejected ? rejected.getStatus() : 502;
                String body = cause instanceof UpgradeRejectedException rejected && rejected.getBody() != null
                        ? rejected.getBody().toString() : ApiFront.status(status, "InternalError",
                                "the Kubernetes API refused the watch: " + cause.getMessage());
                if (!response.ended()) {
                    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
                }
                return;
            }
            WebSocket ws = connected.result();
            response.setStatusCode(200).setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, transform != null ? ServerSideTable.CONTENT_TYPE : "application/json")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, private");
            response.closeHandler(v -> ws.close());
            ws.textMessageHandler(event -> {
                if (response.ended() || response.closed()) {
                    return;
                }
                JsonNode parsed = parse(event);
                if (parsed == null || !isReplay(parsed, since)) {
                    response.write((transform != null && parsed != null ? transform.apply(parsed) : event.strip()) + "\n");
                    if (response.writeQueueFull()) {
                        // a client that reads slowly holds the upstream back instead of filling this process's memory
                        ws.pause();
                        response.drainHandler(v -> ws.resume());
                    }
                }
            });
            ws.exceptionHandler(e -> LOG.fine(() -> "watch " + req.path() + ": " + e));
            ws.closeHandler(v -> {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            });
            response.writeHead();
        });
    }
}
