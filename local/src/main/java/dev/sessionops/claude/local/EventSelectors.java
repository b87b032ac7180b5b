package dev.sessionops.claude.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Field selectors on Events, which the embedded API ignores (it answers every Event of the namespace): {@code kubectl
 * describe} asks for an object's Events with {@code involvedObject.name=…,involvedObject.namespace=…,…} and shows
 * them. Equality on the fields kubectl and the operator use ({@code involvedObject.*}, {@code reason}, {@code type},
 * {@code metadata.name}, {@code metadata.namespace}); a selector on anything else, or with {@code !=}, is answered 400,
 * as the API server answers an unsupported field label, rather than with a wrong list.
 */
final class EventSelectors {
    private static final Pattern EVENTS = Pattern.compile("^/api/v1/(?:namespaces/([^/]+)/)?events$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TERM = Pattern.compile("^([A-Za-z.]+)(==|=)(.*)$");
    /** The fields a selector may name, as paths into an Event. */
    private static final Map<String, String[]> FIELDS = Map.of(
            "involvedObject.name", new String[] {"involvedObject", "name"},
            "involvedObject.namespace", new String[] {"involvedObject", "namespace"},
            "involvedObject.kind", new String[] {"involvedObject", "kind"},
            "involvedObject.uid", new String[] {"involvedObject", "uid"},
            "involvedObject.apiVersion", new String[] {"involvedObject", "apiVersion"},
            "reason", new String[] {"reason"},
            "type", new String[] {"type"},
            "metadata.name", new String[] {"metadata", "name"},
            "metadata.namespace", new String[] {"metadata", "namespace"});

    private EventSelectors() {
    }

    static void serve(KubernetesMockServer server) {
        EmbeddedApiGuard.wrap(server, original -> new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                int q = path.indexOf('?');
                if (!"GET".equals(request.getMethod()) || q < 0 || !EVENTS.matcher(path.substring(0, q)).matches()) {
                    return original.dispatch(request);
                }
                Map<String, String> query;
                Map<String, String> wanted;
                try {
                    query = query(path.substring(q + 1)); // a malformed %-escape is the caller's error
                    String selector = query.get("fieldSelector");
                    if (selector == null || selector.isBlank() || query.containsKey("watch")) {
                        return original.dispatch(request);
                    }
                    wanted = parse(selector);
                } catch (IllegalArgumentException e) {
                    return new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                            .setBody(ApiFront.status(400, "BadRequest", e.getMessage()));
                }
                // the whole list (the embedded API's own handling of a field selector is not to be relied on), filtered here
                String unselected = path.substring(0, q) + "?" + String.join("&", query.entrySet().stream()
                        .filter(e -> !"fieldSelector".equals(e.getKey()))
                        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).toList());
                MockResponse all = original.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET,
                        unselected, request.getHeaders(), new Buffer()));
                return all.code() == 200 ? filtered(all, wanted) : all;
            }

            @Override
            public void shutdown() {
                original.shutdown();
            }
        });
    }

    /** {@code a=b,c==d}: equality terms only. */
    static Map<String, String> parse(String selector) {
        Map<String, String> terms = new LinkedHashMap<>();
        for (String term : selector.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            Matcher m = TERM.matcher(term.strip());
            if (!m.matches() || term.contains("!=")) {
                throw new IllegalArgumentException("unsupported field selector term: " + term);
            }
            if (!FIELDS.containsKey(m.group(1))) {
                throw new IllegalArgumentException("field label not supported: " + m.group(1));
            }
            terms.put(m.group(1), m.group(3));
        }
        return terms;
    }

    private static MockResponse filtered(MockResponse all, Map<String, String> wanted) {
        try {
            ObjectNode list = (ObjectNode) JSON.readTree(all.getBody().readString(StandardCharsets.UTF_8));
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode event : list.path("items")) {
                if (matches(event, wanted)) {
                    kept.add(event);
                }
            }
            list.set("items", kept);
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(list.toString());
        } catch (JsonProcessingException | ClassCastException e) {
            return new MockResponse().setResponseCode(500).setHeader("Content-Type", "application/json")
                    .setBody(ApiFront.status(500, "InternalError", "unreadable event list"));
        }
    }

    static boolean matches(JsonNode event, Map<String, String> wanted) {
        for (var term : wanted.entrySet()) {
            JsonNode value = event;
            for (String step : FIELDS.get(term.getKey())) {
                value = value.path(step);
            }
            if (!term.getValue().equals(value.asText(""))) {
                return false;
            }
        }
        return true;
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            values.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}
