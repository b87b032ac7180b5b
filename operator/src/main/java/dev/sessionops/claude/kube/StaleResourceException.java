package dev.sessionops.claude.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A conditional write lost: the resource changed since this reconcile read it (409 Conflict). Not an error to
 * report: the reconcile that read the stale copy stops, and the newer version reconciles again.
 */
public class StaleResourceException extends RuntimeException {
    StaleResourceException(HasMetadata resource, KubernetesClientException cause) {
        super(resource.getKind() + " " + resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName()
                + " changed since resourceVersion " + resource.getMetadata().getResourceVersion(), cause);
    }

    static RuntimeException orRethrow(HasMetadata resource, KubernetesClientException e) {
        return e.getCode() == 409 ? new StaleResourceException(resource, e) : e;
    }
}
