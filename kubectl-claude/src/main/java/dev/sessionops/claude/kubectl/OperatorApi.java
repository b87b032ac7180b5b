package dev.sessionops.claude.kubectl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.wire.ApiPaths;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The client of the operator's read API, an aggregated API of the cluster ({@code /apis/api.claude.sessionops.dev/
 * v1alpha1/namespaces/{ns}/…}): sessions, history, messages and a message's live events. Errors are Kubernetes
 * {@code Status} objects, the operator's and the API server's alike; "not reachable" ({@link ApiUnavailableException})
 * is told apart from the API's answers: a 503 (the aggregation layer cannot reach the operator) or a 404 that names
 * no object (the cluster does not serve the group: no APIService).
 */
final class OperatorApi implements AutoCloseable {
    static final String JSON_TYPE = "application/json";
    static final String EVENT_STREAM = "text/event-stream";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiTransport transport;

    OperatorApi(ApiTransport transport) {
        this.transport = transport;
    }

    static OperatorApi through(KubernetesClient client) {
        return new OperatorApi(new AggregatedTransport(client));
    }

    static String sessions(String ns) {
        return "/namespaces/" + enc(ns) + "/sessions";
    }

    static String session(String ns, String name) {
        return sessions(ns) + "/" + enc(name);
    }

    static String history(String ns, String name, long offset, long limit) {
        return session(ns, name) + "/history?offset=" + offset + "&limit=" + limit;
    }

    static String message(String ns, String name) {
        return "/namespaces/" + enc(ns) + "/messages/" + enc(name);
    }

    static String events(String ns, String name) {
        return message(ns, name) + "/log";
    }

    /** {@code GET path} as JSON. */
    JsonNode get(String path) {
        try (ApiTransport.Response r = transport.get(path, JSON_TYPE, null, false)) {
            String body = r.bodyText();
            JsonNode json = parse(body);
            if (r.status() / 100 == 2) {
                if (json == null || isKubernetesObject(json)) {
                    // e.g. a proxy path some API server answers itself: not the operator
                    throw unavailable("an unexpected answer (" + r.contentType() + ")");
                }
                return json;
            }
            throw error(r.status(), json, body);
        } catch (IOException e) {
            throw new ApiUnavailableException("reading " + path + " from the operator API failed: " + e, e);
        }
    }

    /**
     * Reads {@code …/messages/{name}/log} until the stream ends (after the {@code result} event, or after the
     * single {@code status} event of a finished message). Returns the last event id read, for a reconnection.
     *
     * @param onOpen called with the open body, so another thread can close it to stop the reading
     */
    String events(String ns, String name, String lastEventId, Consumer<SseEvent> listener,
            Consumer<AutoCloseable> onOpen) {
        String path = events(ns, name);
        String last = lastEventId;
        try (ApiTransport.Response r = transport.get(path, EVENT_STREAM, lastEventId, true)) {
            if (r.status() / 100 != 2) {
                String body = r.bodyText();
                throw error(r.status(), parse(body), body);
            }
            if (r.contentType() == null || !r.contentType().toLowerCase().startsWith(EVENT_STREAM)) {
                r.bodyText(); // read to the end: a connection closed mid-body is not reusable
                throw unavailable("a " + (r.contentType() == null ? "HTTP " + r.status() : r.contentType())
                        + " answer instead of an event stream");
            }
            onOpen.accept(r);
            SseParser parser = new SseParser();
            BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                Optional<SseEvent> e = parser.line(line);
                if (e.isPresent()) {
                    last = e.get().id() != null ? e.get().id() : last;
                    listener.accept(e.get());
                }
            }
            parser.end().ifPresent(listener);
            return last;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the events of " + name + " failed: " + e.getMessage(), e);
        }
    }

    private ApiUnavailableException unavailable(String what) {
        return new ApiUnavailableException("the operator API is not reachable at " + transport.describe() + ": " + what);
    }

    /** A non-2xx answer: a Status from the operator or the API server, or something else on the way. */
    private CliException error(int status, JsonNode json, String body) {
        boolean statusObject = json != null && "Status".equals(json.path("kind").asText());
        if (status == 503 || status == 502 || status == 504) {
            return unavailable("HTTP " + status + " " + (statusObject ? json.path("message").asText("") : firstLine(body)));
        }
        if (status == 404 && (!statusObject || json.path("details").path("name").asText("").isEmpty())) {
            return new ApiUnavailableException("the cluster does not serve the operator's API " + ApiPaths.GROUP_VERSION
                    + " (is the operator installed with its APIService? kubectl get apiservice v1alpha1." + ApiPaths.GROUP + ")");
        }
        // a 404 here names its object (else it is the group not served, above); any other refusal is the API's
        int code = status == 404 ? ExitCodes.NOT_FOUND : status == 400 ? ExitCodes.USAGE : ExitCodes.UNREACHABLE;
        if (!statusObject) {
            return new CliException(code, "operator API: HTTP " + status + " " + firstLine(body), null);
        }
        String reason = json.path("reason").asText("");
        String message = json.path("message").asText("");
        return new CliException(code, "operator API: " + status + (reason.isEmpty() ? "" : " " + reason)
                + (message.isEmpty() ? "" : ": " + message), null);
    }

    /** A Kubernetes object or Status (kind and apiVersion): the API server answering, not the operator. */
    static boolean isKubernetesObject(JsonNode json) {
        return json.isObject() && json.hasNonNull("kind") && json.hasNonNull("apiVersion");
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String firstLine(String body) {
        if (body == null) {
            return "";
        }
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        transport.close();
    }
}
