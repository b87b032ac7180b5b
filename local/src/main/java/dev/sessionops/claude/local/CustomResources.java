package dev.sessionops.claude.local;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The CRDs local mode serves, found by request path: what the API front needs to print them as a cluster would
 * ({@link ServerSideTable}), to check writes against their schemas ({@link SchemaValidation}) and to describe them in
 * OpenAPI ({@link OpenApiDocuments}).
 */
final class CustomResources {
    /** {@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]}: a list or one object, no subresource. */
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "/apis/([a-z0-9.-]+)/([a-z0-9]+)(?:/namespaces/[a-z0-9-]+)?/([a-z0-9]+)(?:/([a-z0-9.-]+))?");

    /** One served version of a CRD. */
    record Resource(String group, String version, String plural, String kind, List<ServerSideTable.Column> columns,
            JsonNode schema) {
    }

    /** A request path resolved: the resource, and the object's name when the path names one. */
    record Target(Resource resource, String name) {
    }

    private final Map<String, Resource> byKey;

    private CustomResources(Map<String, Resource> byKey) {
        this.byKey = Map.copyOf(byKey);
    }

    /** From CRDs as JSON trees. */
    static CustomResources of(List<JsonNode> crds) {
        Map<String, Resource> byKey = new HashMap<>();
        for (JsonNode crd : crds) {
            String group = crd.path("spec").path("group").asText();
            String plural = crd.path("spec").path("names").path("plural").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode columns = version.path("additionalPrinterColumns");
                String name = version.path("name").asText();
                byKey.put(key(group, name, plural), new Resource(group, name, plural, kind,
                        columns.isArray() && !columns.isEmpty() ? ServerSideTable.columnsOf(columns)
                                // without printer columns a CRD prints as "Age" from the creation time
                                : List.of(new ServerSideTable.Column("Age", "date", "", "", 0, ".metadata.creationTimestamp")),
                        version.path("schema").path("openAPIV3Schema")));
            }
        }
        return new CustomResources(byKey);
    }

    List<Resource> all() {
        return List.copyOf(byKey.values());
    }

    /** What a request path names, when it is a list or an object of one of these CRDs. */
    Optional<Target> forPath(String path) {
        Matcher m = RESOURCE_PATH.matcher(path);
        if (!m.matches() || m.group(3).equals("namespaces")) {
            return Optional.empty();
        }
        return Optional.ofNullable(byKey.get(key(m.group(1), m.group(2), m.group(3)))).map(r -> new Target(r, m.group(4)));
    }

    /** The printer columns for a request path (see {@link #forPath}). */
    Optional<List<ServerSideTable.Column>> columnsFor(String path) {
        return forPath(path).map(t -> t.resource().columns());
    }

    private static String key(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }
}
