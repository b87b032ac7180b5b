package dev.sessionops.claude.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI v3 documents a Kubernetes API serves ({@code /openapi/v3} and one per group version), as far as kubectl
 * reads them: {@code kubectl apply} looks for the {@code fieldValidation} parameter of a kind's PATCH operation and,
 * finding it, leaves validation to the server (the API front checks our kinds against their schemas); {@code kubectl
 * explain} reads our kinds' schemas. Core kinds get their paths but no schemas (the embedded API stores them as sent).
 */
final class OpenApiDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A resource of a group version, as discovery lists it. */
    record Resource(String plural, String kind, boolean namespaced) {
    }

    /** A group version ("" group: the core {@code v1}). */
    record GroupVersion(String group, String version, List<Resource> resources) {
        /** The key of {@code /openapi/v3}'s paths: {@code api/v1} or {@code apis/<group>/<version>}. */
        String key() {
            return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
        }
    }

    private final Map<String, String> documents = new LinkedHashMap<>();

    /** All documents, rendered once: they change only with the build. */
    OpenApiDocuments(List<GroupVersion> groupVersions, CustomResources customResources) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode paths = root.putObject("paths");
        for (GroupVersion gv : groupVersions) {
            String document = write(groupVersion(gv, customResources));
            documents.put("/openapi/v3/" + gv.key(), document);
            paths.putObject(gv.key()).put("serverRelativeURL", "/openapi/v3/" + gv.key() + "?hash=" + sha512(document));
        }
        documents.put("/openapi/v3", write(root));
    }

    /** The document at a path ({@code /openapi/v3} or {@code /openapi/v3/<key>}), query ignored; null if none. */
    String at(String path) {
        return documents.get(path);
    }

    private static ObjectNode groupVersion(GroupVersion gv, CustomResources customResources) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "local");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        String prefix = gv.group().isEmpty() ? "/api/" + gv.version() : "/apis/" + gv.group() + "/" + gv.version();
        for (Resource r : gv.resources()) {
            String schemaName = null;
            for (CustomResources.Resource crd : customResources.all()) {
                if (crd.group().equals(gv.group()) && crd.version().equals(gv.version()) && crd.plural().equals(r.plural())) {
                    schemaName = schemaName(gv.group(), gv.version(), r.kind());
                    schemas.set(schemaName, objectSchema(crd, gv));
                }
            }
            String collection = prefix + (r.namespaced() ? "/namespaces/{namespace}" : "") + "/" + r.plural();
            ObjectNode list = paths.putObject(collection);
            list.set("get", operation("list", gv, r, false, null));
            list.set("post", operation("create", gv, r, true, schemaName));
            ObjectNode item = paths.putObject(collection + "/{name}");
            item.set("get", operation("read", gv, r, false, schemaName));
            item.set("put", operation("replace", gv, r, true, schemaName));
            item.set("patch", operation("patch", gv, r, true, schemaName));
            item.set("delete", operation("delete", gv, r, false, null));
        }
        return doc;
    }

    private static ObjectNode operation(String action, GroupVersion gv, Resource r, boolean write, String schemaName) {
        ObjectNode op = JSON.createObjectNode();
        op.put("operationId", action + r.kind());
        op.putObject("x-kubernetes-group-version-kind").put("group", gv.group()).put("version", gv.version())
                .put("kind", r.kind());
        op.put("x-kubernetes-action", action.equals("read") ? "get" : action.equals("replace") ? "put" : action);
        ArrayNode parameters = op.putArray("parameters");
        if (write) {
            for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
                parameters.addObject().put("name", name).put("in", "query").putObject("schema").put("type", "string");
            }
        }
        ObjectNode ok = op.putObject("responses").putObject("200").put("description", "OK");
        if (schemaName != null) {
            ok.putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/" + schemaName);
        }
        return op;
    }

    /** The CRD's schema as an API server publishes it: with apiVersion, kind, metadata and its group version kind. */
    private static ObjectNode objectSchema(CustomResources.Resource crd, GroupVersion gv) {
        ObjectNode schema = crd.schema().deepCopy();
        ObjectNode properties = schema.with("properties");
        properties.putObject("apiVersion").put("type", "string")
                .put("description", "APIVersion defines the versioned schema of this representation of an object.");
        properties.putObject("kind").put("type", "string")
                .put("description", "Kind is a string value representing the REST resource this object represents.");
        properties.putObject("metadata").put("type", "object").put("description", "Standard object's metadata.");
        schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", gv.group())
                .put("version", gv.version()).put("kind", crd.kind());
        return schema;
    }

    /** {@code dev.sessionops.claude.v1alpha1.ClaudeSession} for group {@code claude.sessionops.dev}. */
    static String schemaName(String group, String version, String kind) {
        List<String> parts = new java.util.ArrayList<>(List.of(group.split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + version + "." + kind;
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha512(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
