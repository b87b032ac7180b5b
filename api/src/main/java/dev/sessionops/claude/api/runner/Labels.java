package dev.sessionops.claude.api.runner;

/** Label keys and values the operator puts on what it creates, so everything of a session can be listed. */
public final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    public static final String OPERATOR = "claude-session-operator";
    /** {@link #COMPONENT} of a session's state volume claim. */
    public static final String STATE_VOLUME = "session-state";

    /** The ClaudeSession a Job, Pod or volume claim belongs to. */
    public static final String SESSION = "claude.sessionops.dev/session";
    /** The ClaudeMessage a Job or Pod runs. */
    public static final String MESSAGE = "claude.sessionops.dev/message";
    /**
     * On a PersistentVolumeClaim, {@code "true"}: sessions of its namespace may mount it as their workspace
     * ({@code workspace.volumeClaim}). Its owner opts in; a claim without it is never mounted (it may be another
     * app's data, which fsGroup would re-own).
     */
    public static final String WORKSPACE_OPT_IN = "claude.sessionops.dev/workspace";

    /** Set on a message's Pods by the Job controller (all Kubernetes versions). */
    public static final String JOB_NAME = "job-name";

    private Labels() {
    }
}
