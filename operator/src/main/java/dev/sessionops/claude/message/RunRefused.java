package dev.sessionops.claude.message;

/**
 * A run's objects could not be created for the namespace's or the input's sake (a quota, a webhook, a ConfigMap or
 * Job of the run's name that is not the run's): no Job of the run is used, and the message waits or fails as
 * {@link #refusal()} says, as for a refused Job.
 */
public final class RunRefused extends RuntimeException {
    private final transient JobRefusal refusal;

    RunRefused(JobRefusal refusal, Throwable cause) {
        super(refusal.message(), cause);
        this.refusal = refusal;
    }

    public JobRefusal refusal() {
        return refusal;
    }
}
