package dev.sessionops.claude.local;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.zjsonpatch.JsonPatch;

/**
 * What a kube-apiserver does with a write of a custom resource before storing it, for the API front: the object the
 * write would leave (a create or replace as sent; a patch applied to the current object), checked against the CRD's
 * schema ({@link SchemaValidation}) and answered as the API server answers — 422 {@code Invalid} with the field
 * errors, undeclared fields per {@code fieldValidation} (Strict: 400; Warn, the default: a {@code Warning} header;
 * Ignore: nothing), 415 for a strategic merge patch (custom resources have none). Pure.
 */
final class ValidatedWrites {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The answer: refuse with {@code code} and a Status body, or let the write through with warnings. */
    sealed interface Verdict {
        record Refuse(int code, String status) implements Verdict {
        }

        record Allow(List<String> warnings) implements Verdict {
        }
    }

    /** Thrown for a body or patch that cannot be read or applied: a 400 or 415 as given. */
    static final class BadWrite extends Exception {
        final int code;
        final String reason;

        BadWrite(int code, String reason, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
        }
    }

    private ValidatedWrites() {
    }

    /**
     * The object a write leaves.
     *
     * @param contentType the request's media type (parameters ignored)
     * @param current     the stored object for a patch (null: none, e.g. a server-side apply that creates)
     */
    static JsonNode resulting(String method, String contentType, byte[] body, JsonNode current) throws BadWrite {
        String type = contentType == null ? "application/json" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!method.equals("PATCH")) {
            return parse(body, type.contains("yaml"));
        }
        switch (type) {
            case "application/merge-patch+json" -> {
                return mergePatch(existing(current).deepCopy(), parse(body, false));
            }
            case "application/json-patch+json" -> {
                existing(current);
                try {
                    return JsonPatch.apply(parse(body, false), current);
                } catch (RuntimeException e) {
                    throw new BadWrite(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage());
                }
            }
            case "application/apply-patch+yaml" -> {
                // what the applier states, over what is there: close enough to server-side apply to check the result
                return mergePatch(current == null ? JSON.createObjectNode() : current.deepCopy(), parse(body, true));
            }
            default -> throw new BadWrite(415, "UnsupportedMediaType", "the body of the request was in an unknown format"
                    + " - accepted media types include: application/json-patch+json, application/merge-patch+json,"
                    + " application/apply-patch+yaml");
        }
    }

    /** Only server-side apply creates what it patches: any other patch of a missing object is 404, as upstream. */
    private static JsonNode existing(JsonNode current) throws BadWrite {
        if (current == null) {
            throw new BadWrite(404, "NotFound", "the object to patch does not exist");
        }
        return current;
    }

    /** RFC 7386: objects merge, null removes, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                JsonNode existing = result.get(e.getKey());
                result.set(e.getKey(), mergePatch(existing == null ? JSON.createObjectNode() : existing, e.getValue()));
            }
        }
        return result;
    }

    /** The verdict on the object a write leaves, for {@code fieldValidation} (null: Warn, the API server's default). */
    static Verdict check(CustomResources.Resource resource, String name, JsonNode object, String fieldValidation) {
        String directive = fieldValidation == null || fieldValidation.isEmpty() ? "Warn" : fieldValidation;
        if (!List.of("Strict", "Warn", "Ignore").contains(directive)) {
            return refuse(400, "BadRequest", "fieldValidation must be Strict, Warn or Ignore", null, resource, List.of());
        }
        List<SchemaValidation.Violation> violations = SchemaValidation.validate(resource.schema(), object);
        List<String> unknown = violations.stream().filter(SchemaValidation.Violation::unknownField)
                .map(SchemaValidation.Violation::message).toList();
        if (!unknown.isEmpty() && directive.equals("Strict")) {
            return refuse(400, "BadRequest", resource.kind() + " in version \"" + resource.version()
                    + "\" cannot be handled as a " + resource.kind() + ": strict decoding error: " + String.join(", ", unknown),
                    null, resource, List.of());
        }
        List<SchemaValidation.Violation> invalid = violations.stream().filter(v -> !v.unknownField()).toList();
        if (!invalid.isEmpty()) {
            String objectName = name != null ? name : object.path("metadata").path("name").asText("");
            List<String> messages = invalid.stream().map(SchemaValidation.Violation::message).toList();
            return refuse(422, "Invalid", resource.kind() + "." + resource.group() + " \"" + objectName + "\" is invalid: "
                    + (messages.size() == 1 ? messages.get(0) : "[" + String.join(", ", messages) + "]"), objectName,
                    resource, invalid);
        }
        return new Verdict.Allow(directive.equals("Warn") ? unknown : List.of());
    }

    private static Verdict refuse(int code, String reason, String message, String name, CustomResources.Resource resource,
            List<SchemaValidation.Violation> causes) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        if (name != null) {
            ObjectNode details = status.putObject("details");
            details.put("name", name).put("group", resource.group()).put("kind", resource.kind());
            ArrayNode list = details.putArray("causes");
            causes.forEach(c -> list.addObject().put("reason", c.reason())
                    .put("message", c.message().startsWith(c.field() + ": ") ? c.message().substring(c.field().length() + 2)
                            : c.message())
                    .put("field", c.field()));
        }
        status.put("code", code);
        try {
            return new Verdict.Refuse(code, JSON.writeValueAsString(status));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code Warning} header value (RFC 7234 warn-code 299, as the API server sends them). */
    static String warningHeader(String text) {
        return "299 - \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static JsonNode parse(byte[] body, boolean yaml) throws BadWrite {
        try {
            JsonNode node = (yaml ? YAML : JSON).readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new BadWrite(400, "BadRequest", "the request has no body");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new BadWrite(400, "BadRequest", "the body of the request cannot be read as " + (yaml ? "YAML" : "JSON")
                    + ": " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }
}
