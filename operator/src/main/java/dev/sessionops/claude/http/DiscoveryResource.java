package dev.sessionops.claude.http;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.sessionops.claude.api.wire.ApiPaths;

/**
 * The discovery document of the group version, which the API server's aggregation layer reads (with the front
 * proxy's identity) to know the APIService is available and what it serves; kubectl lists the resources from it.
 */
@Path(ApiPaths.BASE)
@Guarded("")
@Tag(name = "discovery")
public class DiscoveryResource {
    private static final List<String> GET = List.of("get");

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The APIResourceList of " + ApiPaths.GROUP_VERSION)
    public Map<String, Object> resources() {
        return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", ApiPaths.GROUP_VERSION,
                "resources", List.of(
                        resource("sessions", "SessionInfo", List.of("get", "list")),
                        resource("sessions/history", "HistoryPage", GET),
                        resource("messages", "MessageDetails", GET),
                        resource("messages/history", "HistoryPage", GET),
                        resource("messages/log", "Event", GET)));
    }

    private static Map<String, Object> resource(String name, String kind, List<String> verbs) {
        return Map.of("name", name, "singularName", "", "namespaced", true, "kind", kind, "verbs", verbs);
    }
}
