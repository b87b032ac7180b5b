package dev.sessionops.claude.local;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The printer columns of the CRDs local mode serves, found by request path: what the API front needs to answer a
 * {@code kubectl get} with a Table as a cluster would ({@link ServerSideTable}).
 */
final class PrinterColumns {
    /** {@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]}: a list or one object, no subresource. */
    private static final Pattern RESOURCE_PATH = Pattern.compile(
            "/apis/([a-z0-9.-]+)/([a-z0-9]+)(?:/namespaces/[a-z0-9-]+)?/([a-z0-9]+)(?:/[a-z0-9.-]+)?");

    private final Map<String, List<ServerSideTable.Column>> byResource;

    private PrinterColumns(Map<String, List<ServerSideTable.Column>> byResource) {
        this.byResource = Map.copyOf(byResource);
    }

    /** From CRDs as JSON trees (each version's {@code additionalPrinterColumns}). */
    static PrinterColumns of(List<JsonNode> crds) {
        Map<String, List<ServerSideTable.Column>> byResource = new HashMap<>();
        for (JsonNode crd : crds) {
            String group = crd.path("spec").path("group").asText();
            String plural = crd.path("spec").path("names").path("plural").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode columns = version.path("additionalPrinterColumns");
                // without printer columns a CRD prints as "Age" from the creation time
                byResource.put(key(group, version.path("name").asText(), plural), columns.isArray() && !columns.isEmpty()
                        ? ServerSideTable.columnsOf(columns)
                        : List.of(new ServerSideTable.Column("Age", "date", "", "", 0, ".metadata.creationTimestamp")));
            }
        }
        return new PrinterColumns(byResource);
    }

    /** The columns for a request path, when it names a list or an object of one of these CRDs. */
    Optional<List<ServerSideTable.Column>> forPath(String path) {
        Matcher m = RESOURCE_PATH.matcher(path);
        if (!m.matches() || m.group(3).equals("namespaces")) {
            return Optional.empty();
        }
        return Optional.ofNullable(byResource.get(key(m.group(1), m.group(2), m.group(3))));
    }

    private static String key(String group, String version, String plural) {
        return group + "/" + version + "/" + plural;
    }
}
