package dev.sessionops.claude.local;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}) for the embedded API, which has none of
 * its own, as far as an operator with a single field manager per object needs it: apply to a missing object creates
 * it; a {@code metadata.resourceVersion} in the applied object must match (409 otherwise: "create only if it does not
 * exist"); an applied status replaces the status; on an existing object the applied top-level fields replace the
 * stored ones, labels and annotations are set key by key, finalizers are added to (never dropped). Field ownership
 * across managers is not tracked.
 *
 * <p>One fix to plain patches too: a patch that removes the last finalizer of an object being deleted makes the mock
 * delete it and answer 202 without a body, where the API server answers 200 with the object; clients that cache what
 * a patch returns (the operator SDK) fail on the empty answer. Here such a patch answers 200 with the object as it was
 * last, without finalizers. Everything else passes through.
 */
final class ServerSideApply extends Dispatcher {
    static final String CONTENT_TYPE = "application/apply-patch+yaml";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();

    private final Dispatcher inner;

    private ServerSideApply(Dispatcher inner) {
        this.inner = inner;
    }

    static void serve(KubernetesMockServer server) {
        EmbeddedApiGuard.wrap(server, ServerSideApply::new);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        if (!"PATCH".equals(request.getMethod())) {
            return inner.dispatch(request);
        }
        if (contentType == null || !contentType.startsWith(CONTENT_TYPE)) {
            return plainPatch(request);
        }
        JsonNode applied;
        try {
            applied = YAML.readTree(request.getUtf8Body()); // JSON is YAML
        } catch (JsonProcessingException e) {
            return status(400, "BadRequest", "the applied object is not YAML or JSON");
        }
        if (applied == null || !applied.isObject()) {
            return status(400, "BadRequest", "the applied object must be an object");
        }
        String path = request.getPath();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        boolean statusPath = path.endsWith("/status");
        String objectPath = statusPath ? path.substring(0, path.length() - "/status".length()) : path;

        MockResponse current = inner.dispatch(request(request, HttpMethod.GET, objectPath, null, null));
        if (current.code() == 404) {
            if (statusPath) {
                return current;
            }
            ObjectNode created = ((ObjectNode) applied).deepCopy();
            metadata(created).remove("resourceVersion");
            String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
            return inner.dispatch(request(request, HttpMethod.POST, collection, "application/json", created.toString()));
        }
        if (current.code() != 200) {
            return current;
        }
        JsonNode existing;
        try {
            existing = JSON.readTree(current.getBody().readString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return status(500, "InternalError", "unreadable stored object");
        }
        String wanted = applied.path("metadata").path("resourceVersion").asText(null);
        if (wanted != null && !wanted.equals(existing.path("metadata").path("resourceVersion").asText())) {
            return status(409, "Conflict", "the object has been modified: resourceVersion " + wanted + " is not current");
        }
        if (statusPath) {
            ArrayNode patch = JSON.createArrayNode();
            patch.addObject().put("op", "add").put("path", "/status").set("value", applied.path("status"));
            return inner.dispatch(request(request, HttpMethod.PATCH, path, "application/json-patch+json", patch.toString()));
        }
        ArrayNode patch = JSON.createArrayNode();
        applied.fields().forEachRemaining(field -> {
            // the applier's own top-level fields replace what is there (one field manager: what it no longer sets
            // goes, as under server-side apply); the status is the status subresource's; metadata below
            if (!List.of("metadata", "status", "apiVersion", "kind").contains(field.getKey())) {
                patch.addObject().put("op", "add").put("path", "/" + pointer(field.getKey())).set("value", field.getValue());
            }
        });
        JsonNode metadata = applied.path("metadata");
        for (String map : List.of("labels", "annotations")) { // others' labels and annotations stay
            if (metadata.path(map).isObject()) {
                if (!existing.path("metadata").path(map).isObject()) {
                    patch.addObject().put("op", "add").put("path", "/metadata/" + map).set("value", JSON.createObjectNode());
                }
                metadata.path(map).fields().forEachRemaining(e -> patch.addObject().put("op", "add")
                        .put("path", "/metadata/" + map + "/" + pointer(e.getKey())).set("value", e.getValue()));
            }
        }
        if (metadata.path("finalizers").isArray()) { // added, never dropped: removal is a JSON patch of its own
            Set<String> finalizers = new LinkedHashSet<>();
            existing.path("metadata").path("finalizers").forEach(f -> finalizers.add(f.asText()));
            metadata.path("finalizers").forEach(f -> finalizers.add(f.asText()));
            ArrayNode all = JSON.createArrayNode();
            finalizers.forEach(all::add);
            patch.addObject().put("op", "add").put("path", "/metadata/finalizers").set("value", all);
        }
        if (patch.isEmpty()) {
            return current;
        }
        return inner.dispatch(request(request, HttpMethod.PATCH, path, "application/json-patch+json", patch.toString()));
    }

    /** A JSON pointer segment (RFC 6901): label keys hold slashes. */
    private static String pointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    @Override
    public void shutdown() {
        inner.shutdown();
    }

    private static ObjectNode metadata(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        return metadata instanceof ObjectNode m ? m : object.putObject("metadata");
    }

    /** A JSON or merge patch; when it ends a deletion (the last finalizer gone), the answer carries the object. */
    private MockResponse plainPatch(RecordedRequest request) {
        // getBytes reads without consuming: the inner dispatcher reads the body again
        byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
        if (!new String(body, StandardCharsets.UTF_8).contains("finalizers")) {
            return inner.dispatch(request); // cannot end a deletion: no read before it
        }
        String path = request.getPath();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        MockResponse before = inner.dispatch(request(request, HttpMethod.GET, path, null, null));
        MockResponse patched = inner.dispatch(request);
        if (patched.code() != 202 || before.code() != 200 || patched.getBody().size() > 0) {
            return patched;
        }
        try {
            ObjectNode last = (ObjectNode) JSON.readTree(before.getBody().readString(StandardCharsets.UTF_8));
            metadata(last).remove("finalizers");
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody(last.toString());
        } catch (JsonProcessingException | ClassCastException e) {
            return patched;
        }
    }

    /** The same caller (headers: the token, the Host) asking the inner dispatcher something else. */
    private static RecordedRequest request(RecordedRequest original, HttpMethod method, String path, String contentType,
            String body) {
        Headers.Builder headers = original.getHeaders().newBuilder().removeAll("Content-Type").removeAll("Content-Length");
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        return new RecordedRequest(original.getHttpVersion(), method, path, headers.build(),
                body == null ? new Buffer() : new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(ApiFront.status(code, reason, message));
    }
}
