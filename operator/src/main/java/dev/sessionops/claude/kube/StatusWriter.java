package dev.sessionops.claude.kube;

import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Every status write of the operator: the whole status through the status subresource, <b>conditional on the
 * resourceVersion that was read</b>. It is the JSON patch {@code add /metadata/resourceVersion} (a precondition: the
 * API server answers 409 when the object is at another version) then {@code add /status} (which replaces the whole
 * member: no diff against a possibly stale copy). Two writers that read the same version cannot both win: the second
 * gets {@link StaleResourceException}, and its write is dropped — the newer version is on its way to the informer and
 * reconciles again. So a deposed leader (or any reconcile working on a stale cache) cannot regress a message from a
 * terminal phase or overwrite a session's claim ({@code status.activeMessage}). The SDK's own status patch cannot do
 * this: its JSON diff drops the resourceVersion, and server-side apply gives every replica the same field manager. (A
 * PUT of the status would be conditional on a real API server too, but the Fabric8 mock server ignores the version
 * of a status PUT; it does check a patched one.)
 */
public final class StatusWriter {
    private StatusWriter() {
    }

    /**
     * Writes the primary resource's status (as it is in {@code resource}) and hands the result to the SDK's cache, so
     * the next reconcile sees what was written and the SDK ignores the echo of its own write; {@code resource}
     * takes the new resourceVersion, so a later write of the same reconcile is conditional on this one.
     *
     * @throws StaleResourceException when the resource changed since it was read
     */
    public static <P extends HasMetadata> P writePrimary(Context<P> context, P resource) {
        P written = context.resourceOperations().resourcePatch(resource,
                r -> write(context.getClient(), r, statusOf(r)), context.eventSourceRetriever().getControllerEventSource());
        resource.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
        return written;
    }

    /**
     * Writes {@code status} as the status of {@code resource} if the resource is still at the version
     * {@code resource} has.
     *
     * @throws StaleResourceException when it changed since
     */
    public static <T extends HasMetadata> T write(KubernetesClient client, T resource, Object status) {
        return ConditionalPatch.apply(client, resource, true, Map.of("op", "add", "path", "/status", "value", status));
    }

    private static Object statusOf(HasMetadata resource) {
        if (resource instanceof io.fabric8.kubernetes.client.CustomResource<?, ?> cr) {
            return cr.getStatus();
        }
        throw new IllegalArgumentException("not a custom resource: " + resource.getKind());
    }
}
