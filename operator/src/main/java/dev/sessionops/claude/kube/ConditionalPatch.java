package dev.sessionops.claude.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A JSON patch that applies only to the version of the resource that was read: its first op is
 * {@code add /metadata/resourceVersion} (the API server answers 409 when the object is at another version), and it goes
 * to the copy read, not by name (Fabric8 GETs a resource it does not hold before patching it). Every write of
 * {@link StatusWriter} and {@link OwnerReferences}.
 */
final class ConditionalPatch {
    private ConditionalPatch() {
    }

    /**
     * @param status to the status subresource (else the object itself)
     * @throws StaleResourceException when the resource changed since it was read
     */
    static <T extends HasMetadata> T apply(KubernetesClient client, T resource, boolean status, Map<String, Object> op) {
        String version = resource.getMetadata().getResourceVersion();
        if (version == null || version.isEmpty()) {
            throw new IllegalArgumentException("a conditional write needs the resourceVersion that was read");
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        ops.add(Map.of("op", "add", "path", "/metadata/resourceVersion", "value", version));
        ops.add(op);
        String patch = Serialization.asJson(ops);
        try {
            var target = client.resource(resource);
            return status ? target.subresource("status").patch(PatchContext.of(PatchType.JSON), patch)
                    : target.patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            throw StaleResourceException.orRethrow(resource, e);
        }
    }
}
