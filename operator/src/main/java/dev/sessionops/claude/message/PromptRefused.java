package dev.sessionops.claude.message;

/**
 * The prompt's ConfigMap of a run could not be created for the namespace's or the input's sake (a quota, a webhook,
 * a ConfigMap of its name that is not the run's): no Job is created, and the message waits or fails as
 * {@link #refusal()} says, as for a refused Job.
 */
public final class PromptRefused extends RuntimeException {
    private final transient JobRefusal refusal;

    PromptRefused(JobRefusal refusal, Throwable cause) {
        super(refusal.message(), cause);
        this.refusal = refusal;
    }

    public JobRefusal refusal() {
        return refusal;
    }
}
