package dev.sessionops.claude.kube;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Adds an owner reference to a resource as read: one request, conditional like {@link StatusWriter}'s writes. */
public final class OwnerReferences {
    private OwnerReferences() {
    }

    /**
     * Appends {@code owner} to the resource's owner references if the resource is still at the version
     * {@code resource} has (a JSON patch of metadata only: the spec the caller may hold in part is never sent); no GET
     * first, as Fabric8's {@code edit} would make.
     *
     * @return the resource as written
     * @throws StaleResourceException when it changed since it was read
     */
    public static <T extends HasMetadata> T add(KubernetesClient client, T resource, OwnerReference owner) {
        String version = resource.getMetadata().getResourceVersion();
        if (version == null || version.isEmpty()) {
            throw new IllegalArgumentException("a conditional write needs the resourceVersion that was read");
        }
        List<OwnerReference> owners = resource.getMetadata().getOwnerReferences();
        Map<String, Object> append = owners == null || owners.isEmpty()
                ? Map.of("op", "add", "path", "/metadata/ownerReferences", "value", List.of(owner))
                : Map.of("op", "add", "path", "/metadata/ownerReferences/-", "value", owner);
        String patch = Serialization.asJson(List.of(
                Map.of("op", "add", "path", "/metadata/resourceVersion", "value", version), append));
        try {
            return client.resource(resource).patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            throw StaleResourceException.orRethrow(resource, e);
        }
    }
}
