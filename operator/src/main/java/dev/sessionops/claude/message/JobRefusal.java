package dev.sessionops.claude.message;

import java.time.Duration;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A Job create (or the create of its prompt's ConfigMap, {@link RunRefused}) the API server refused for the
 * namespace's or the input's sake, not the operator's: a ResourceQuota
 * (wait, try again later), or a too-large object, a schema or a webhook's denial (final: the same Job would be
 * refused again). Anything else (RBAC, a connection error) stays an error for the SDK's retry and the ReconcileError
 * condition.
 *
 * @param waiting true: the message waits and the create is retried with {@link #backoff}
 */
public record JobRefusal(boolean waiting, String reason, String message) {
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

    static final String JOB = "the Job";
    static final String PROMPT = "the prompt's ConfigMap";

    /** Empty when the refusal is not one of these. */
    public static Optional<JobRefusal> of(KubernetesClientException e) {
        return of(e, JOB);
    }

    /** The refusal of creating {@code what} (e.g. {@link #PROMPT}); empty when it is not one of these. */
    static Optional<JobRefusal> of(KubernetesClientException e, String what) {
        String text = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        return of(e.getCode(), text, what);
    }

    /** The refusal behind a failed create of a run's objects, wherever in the cause chain; empty for other errors. */
    public static Optional<JobRefusal> in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RunRefused p) {
                return Optional.of(p.refusal());
            }
            if (t instanceof KubernetesClientException k) {
                return of(k);
            }
        }
        return Optional.empty();
    }

    static Optional<JobRefusal> of(int code, String apiMessage) {
        return of(code, apiMessage, JOB);
    }

    static Optional<JobRefusal> of(int code, String apiMessage, String what) {
        String text = apiMessage == null ? "" : apiMessage;
        // "status unknown for quota": the quota controller has not counted usage yet, which a retry waits out too
        if (code == 403 && (text.contains("exceeded quota") || text.contains("status unknown for quota"))) {
            return Optional.of(new JobRefusal(true, Reasons.QUOTA_EXCEEDED,
                    "the namespace's ResourceQuota refused " + what + "; trying again: " + text));
        }
        if (code == 413 || code == 422 || ((code == 400 || code == 403) && text.contains("admission webhook"))) {
            return Optional.of(new JobRefusal(false, Reasons.JOB_REJECTED, "the API server refused " + what + " (" + code + "): "
                    + text));
        }
        return Optional.empty();
    }

    /**
     * When to try again after having waited {@code waited} already: about as long again (so the waits double), from
     * {@link #FIRST_RETRY} to {@link #LONGEST_RETRY}.
     */
    public static Duration backoff(Duration waited) {
        if (waited == null || waited.compareTo(FIRST_RETRY) < 0) {
            return FIRST_RETRY;
        }
        return waited.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : waited;
    }
}
