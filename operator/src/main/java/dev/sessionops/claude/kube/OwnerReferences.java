package dev.sessionops.claude.kube;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Adds an owner reference to a resource as read: one request, a {@link ConditionalPatch} like every status write. */
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
        List<OwnerReference> owners = resource.getMetadata().getOwnerReferences();
        Map<String, Object> append = owners == null || owners.isEmpty()
                ? Map.of("op", "add", "path", "/metadata/ownerReferences", "value", List.of(owner))
                : Map.of("op", "add", "path", "/metadata/ownerReferences/-", "value", owner);
        return ConditionalPatch.apply(client, resource, false, append);
    }
}
