package dev.sessionops.claude.message;

/** Condition and Event reasons of a ClaudeMessage; each names one cause, so users and alerts can tell them apart. */
public final class Reasons {
    // waiting
    public static final String SESSION_NOT_FOUND = "SessionNotFound";
    public static final String QUEUED = "Queued";
    public static final String SESSION_SUSPENDED = "SessionSuspended";
    public static final String CREDENTIALS_MISSING = "CredentialsMissing";
    /** Every run slot is taken (cso.limits.max-running, a namespace's limit): it starts when one is its turn. */
    public static final String CONCURRENCY_LIMIT = "ConcurrencyLimit";
    /** The kubelet cannot start the run's pod: a Secret or ConfigMap its env takes a key from is missing (not the credentials). */
    public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";
    public static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";
    public static final String CONFIG_MAP_KEY_NOT_FOUND = "ConfigMapKeyNotFound";
    public static final String HISTORY_STORE_UNAVAILABLE = "HistoryStoreUnavailable";
    // invalid input
    public static final String PROMPT_MISSING = "PromptMissing";
    public static final String PROMPT_AMBIGUOUS = "PromptAmbiguous";
    public static final String INVALID_PERMISSION_MODE = "InvalidPermissionMode";
    public static final String INVALID_EFFORT = "InvalidEffort";
    public static final String INVALID_MAX_TURNS = "InvalidMaxTurns";
    public static final String INVALID_BUDGET = "InvalidBudget";
    public static final String INVALID_TIMEOUT = "InvalidTimeout";
    public static final String INVALID_ENV = "InvalidEnv";
    public static final String PLAIN_TEXT_CREDENTIAL = "PlainTextCredential";
    public static final String SPEC_CHANGED_AFTER_START = "SpecChangedAfterStart";
    // running and done
    public static final String JOB_CREATED = "JobCreated";
    /** The run's CLI gets no answer from the model API (unreachable, overloaded, 5xx) and retries it. */
    public static final String RETRYING_MODEL_API = "RetryingModelApi";
    /** The namespace's ResourceQuota refused the Job: the message waits and the create is retried. */
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";
    /** The API server refused the Job for good (too large, a schema, an admission webhook). */
    public static final String JOB_REJECTED = "JobRejected";
    /**
     * A ConfigMap with the name of the run's prompt exists but is not the run's (other content or owner: made by
     * someone else): it is never mounted, the message fails.
     */
    public static final String PROMPT_CONFLICT = "PromptConflict";
    /**
     * A Job with the name of the run's Job exists but is not the run's (no controller reference to the message): it is
     * never used, the message fails ({@link RunJobs}).
     */
    public static final String JOB_CONFLICT = "JobConflict";
    /**
     * A finished run's prompt ConfigMap is gone or no longer the run's: the history records the turn without its
     * prompt (an Event only; the run's outcome stands).
     */
    public static final String PROMPT_UNVERIFIED = "PromptUnverified";
    /** A session's head waited longer than cso.pending-timeout for its inputs: it fails so the queue moves on. */
    public static final String PENDING_TIMEOUT = "PendingTimeout";
    public static final String SUCCEEDED = "Succeeded";
    public static final String JOB_FAILED = "JobFailed";
    public static final String CLI_ERROR = "CliError";
    /**
     * The Claude session to resume is not on the session's state volume any more (lost or replaced): the conversation
     * cannot go on until the session's spec.resetConversation starts a new one.
     */
    public static final String CONVERSATION_STATE_LOST = "ConversationStateLost";
    public static final String NO_RESULT = "NoResult";
    /** The credential gateway refused the run's model API requests: its namespace's budget is spent. */
    public static final String BUDGET_EXCEEDED = "BudgetExceeded";
    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    public static final String JOB_DELETED = "JobDeleted";
    /** spec.cancel: the message ends without running, or stopped while it ran. */
    public static final String CANCELLED = "Cancelled";
    /** spec.cancel on a running message: its Job is being stopped. */
    public static final String CANCELLING = "Cancelling";
    /** Its run finished after its conversation was deleted (the session is gone): nothing was recorded. */
    public static final String CONVERSATION_DELETED = "ConversationDeleted";
    public static final String LOG_UNAVAILABLE = "LogUnavailable";
    /** The run breaks the operator's policy or its session's limits ({@link RunPolicy}). */
    public static final String POLICY_VIOLATION = "PolicyViolation";
    /** The session sets an environment variable the operator's policy refuses ({@link EnvPolicy}). */
    public static final String ENV_NOT_ALLOWED = "EnvNotAllowed";
    /** The message's namespace is one the operator runs no Job in ({@link NamespaceGuard}). */
    public static final String NAMESPACE_REFUSED = "NamespaceRefused";
    /** The session's workspace claim does not exist (yet). */
    public static final String WORKSPACE_CLAIM_NOT_FOUND = "WorkspaceClaimNotFound";
    /** The session's workspace claim lacks the opt-in label ({@code Labels.WORKSPACE_OPT_IN}). */
    public static final String WORKSPACE_NOT_OPTED_IN = "WorkspaceNotOptedIn";

    private Reasons() {
    }
}
