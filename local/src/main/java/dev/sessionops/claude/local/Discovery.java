package dev.sessionops.claude.local;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The discovery documents kubectl reads before anything else ({@code /api}, {@code /apis} and one per group version),
 * which the embedded API server does not serve by itself: enough for {@code kubectl get|apply|delete} on what local
 * mode uses, and the OpenAPI v3 documents kubectl reads to validate and explain ({@link OpenApiDocuments}). The operator's aggregated group is
 * listed as the aggregation layer lists an APIService's (in {@code /apis} and {@code /apis/<group>}); its version's
 * resource list is the operator's own, reached through the {@link ApiFront}.
 */
final class Discovery {
    /** {@code resources} null: an aggregated group, whose version document its own server serves. */
    private record Group(String group, String version, List<APIResource> resources) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private Discovery() {
    }

    /** @param customResources the CRDs, for their OpenAPI schemas */
    static void serve(KubernetesMockServer server, CustomResources customResources) {
        List<Group> groups = List.of(
                new Group("", "v1", List.of(
                        resource("namespaces", "Namespace", false, "ns"),
                        resource("pods", "Pod", true, "po"),
                        resource("secrets", "Secret", true),
                        resource("configmaps", "ConfigMap", true, "cm"),
                        resource("events", "Event", true, "ev"),
                        resource("persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc"))),
                new Group("batch", "v1", List.of(resource("jobs", "Job", true))),
                new Group("coordination.k8s.io", "v1", List.of(resource("leases", "Lease", true))),
                new Group("apiextensions.k8s.io", "v1", List.of(
                        resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds"))),
                new Group("claude.sessionops.dev", "v1alpha1", List.of(
                        resource("claudesessions", "ClaudeSession", true, "csess"),
                        resource("claudemessages", "ClaudeMessage", true, "cmsg"))),
                new Group(ApiFront.OPERATOR_GROUP, "v1alpha1", null));

        Map<String, Object> documents = new HashMap<>();
        documents.put("/api", new APIVersionsBuilder().withVersions("v1").build());
        List<io.fabric8.kubernetes.api.model.APIGroup> named = new ArrayList<>();
        for (Group g : groups) {
            if (g.resources() != null) {
                documents.put(g.group().isEmpty() ? "/api/v1" : "/apis/" + g.groupVersion(),
                        new APIResourceListBuilder().withGroupVersion(g.groupVersion()).withResources(g.resources()).build());
            }
            if (!g.group().isEmpty()) {
                var version = new GroupVersionForDiscoveryBuilder().withGroupVersion(g.groupVersion()).withVersion(g.version()).build();
                var group = new APIGroupBuilder().withName(g.group()).withVersions(version).withPreferredVersion(version).build();
                named.add(group);
                documents.put("/apis/" + g.group(), group);
            }
        }
        documents.put("/apis", new APIGroupListBuilder().withGroups(named).build());
        OpenApiDocuments openApi = new OpenApiDocuments(groups.stream().filter(g -> g.resources() != null)
                .map(g -> new OpenApiDocuments.GroupVersion(g.group(), g.version(), g.resources().stream()
                        .map(r -> new OpenApiDocuments.Resource(r.getName(), r.getKind(), r.getNamespaced())).toList()))
                .toList(), customResources);

        // expectations match an exact path and query (kubectl adds ?timeout=32s): wrap the dispatcher instead
        EmbeddedApiGuard.wrap(server, original -> new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                int query = path.indexOf('?');
                String bare = query < 0 ? path : path.substring(0, query);
                Object document = "GET".equals(request.getMethod()) ? documents.get(bare) : null;
                if (document != null) {
                    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody(Serialization.asJson(document));
                }
                String openApiDocument = "GET".equals(request.getMethod()) ? openApi.at(bare) : null;
                if (openApiDocument != null) {
                    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody(openApiDocument);
                }
                if ("GET".equals(request.getMethod()) && (bare.equals("/openapi/v2") || bare.startsWith("/openapi/v3/"))) {
                    // not the embedded API's "[]" for an unknown path: kubectl must not take that for a document
                    return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                            .setBody(ApiFront.status(404, "NotFound", "the server could not find the requested resource"));
                }
                return original.dispatch(request);
            }

            @Override
            public void shutdown() {
                original.shutdown();
            }
        });
    }

    private static APIResource resource(String plural, String kind, boolean namespaced, String... shortNames) {
        return new APIResourceBuilder().withName(plural).withKind(kind).withNamespaced(namespaced).withShortNames(shortNames)
                .withVerbs("create", "delete", "get", "list", "patch", "update", "watch").build();
    }
}
