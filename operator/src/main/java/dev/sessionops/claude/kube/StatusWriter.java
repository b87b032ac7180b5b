package dev.sessionops.claude.kube;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Writes a resource's whole status through the status subresource as the JSON patch {@code add /status} (which
 * replaces an existing member): no diff against a possibly stale cached copy, and the same on the mock and a real
 * API server. A merge patch would not do: the mock server appends to arrays instead of replacing them.
 */
public final class StatusWriter {
    private StatusWriter() {
    }

    /**
     * Writes the primary resource's status and hands the result to the SDK's cache, so the next reconcile sees what
     * was written (not a stale copy that would repeat the last step) and the SDK ignores the echo of its own write.
     */
    public static <P extends HasMetadata> void writePrimary(Context<P> context, P resource, Object status) {
        context.resourceOperations().resourcePatch(resource, r -> write(context.getClient(), r, status),
                context.eventSourceRetriever().getControllerEventSource());
    }

    public static <T extends HasMetadata> T write(KubernetesClient client, T resource, Object status) {
        String patch = Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) resource.getClass();
        return client.resources(type).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName())
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON), patch);
    }
}
