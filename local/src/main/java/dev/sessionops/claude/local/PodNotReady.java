package dev.sessionops.claude.local;

/**
 * Why a pod cannot start yet (missing Secret, ConfigMap or claim). A real kubelet keeps the pod Pending and retries,
 * the Job stays active until its deadline; the harness does the same.
 */
final class PodNotReady extends Exception {
    /** Waiting reason of the containers, e.g. {@code CreateContainerConfigError} or {@code ContainerCreating}. */
    final String reason;
    /** True when the scheduler could not place the pod (condition PodScheduled=False, reason Unschedulable). */
    final boolean unschedulable;

    PodNotReady(String reason, String message, boolean unschedulable) {
        super(message);
        this.reason = reason;
        this.unschedulable = unschedulable;
    }

    static PodNotReady configError(String message) {
        return new PodNotReady("CreateContainerConfigError", message, false);
    }

    static PodNotReady mountError(String message) {
        return new PodNotReady("ContainerCreating", message, false);
    }

    static PodNotReady unschedulable(String message) {
        return new PodNotReady("Unschedulable", message, true);
    }
}
