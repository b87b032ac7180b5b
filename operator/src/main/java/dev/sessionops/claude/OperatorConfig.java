package dev.sessionops.claude;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator-wide settings; every session-level default here is overridden by a session's own value. */
@ConfigMapping(prefix = "cso")
public interface OperatorConfig {

    Defaults defaults();

    Job job();

    Messages messages();

    Limits limits();

    History history();

    Policy policy();

    LeaderElection leaderElection();

    Events events();

    Api api();

    Admission admission();

    Gateway gateway();

    /**
     * How long a session's head message may wait for missing inputs (a Secret, a ConfigMap) before it fails
     * {@code PendingTimeout} and the queue moves on.
     */
    @WithDefault("10m")
    Duration pendingTimeout();

    /** Longest result text kept in a message's status; the rest is cut and {@code resultTruncated} set. */
    @WithDefault("4096")
    int resultMaxChars();

    interface Defaults {
        /** The runner image (Node + the pinned claude CLI + git, non-root uid 1000). */
        @WithDefault("ghcr.io/sessionops/claude-runner:2.1.330")
        String image();

        /** Secret with ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, for sessions without credentials. */
        Optional<String> credentialsSecret();

        /** Which key of {@link #credentialsSecret} carries the credential: ANTHROPIC_API_KEY (unset) or CLAUDE_CODE_OAUTH_TOKEN. */
        Optional<String> credentialsKey();

        /** Plain environment for every run (never credentials: those only come from Secrets). */
        Map<String, String> env();

        Optional<String> model();

        Optional<String> permissionMode();

        @WithDefault("30m")
        String timeout();

        @WithDefault("1Gi")
        String stateSize();

        Optional<String> storageClassName();

        Optional<String> serviceAccountName();

        Optional<String> cpuRequest();

        Optional<String> memoryRequest();

        Optional<String> cpuLimit();

        Optional<String> memoryLimit();
    }

    interface Job {
        /**
         * The Job controller's backstop (ttlSecondsAfterFinished): it deletes a finished Job whether or not its
         * outcome was recorded, so it is far longer than any Redis or operator outage should last. Normally the
         * operator deletes the Job first, {@link #keepAfterRecord()} after recording its outcome.
         */
        @WithDefault("86400")
        int ttlSecondsAfterFinished();

        /**
         * How long the operator keeps a finished Job (and its pod log, for {@code kubectl logs}) after its outcome is
         * recorded and in the message's status; then it deletes the Job.
         */
        @WithDefault("10m")
        Duration keepAfterRecord();
    }

    /** What the operator lets sessions do (the platform team's, not a session's). */
    interface Policy {
        /**
         * Environment variables a session may set although they could redirect the model credentials or load code
         * into the CLI (ANTHROPIC_*, CLAUDE_CODE_*, *_PROXY, NODE_OPTIONS, LD_*, …); none by default.
         */
        Optional<List<String>> allowedEnv();

        /**
         * The CLI's setting sources ({@code --setting-sources}: user, project, local). None by default: settings
         * and hooks in a cloned repository, or planted on the state volume by an earlier turn, never load; managed
         * settings in the runner image still apply.
         */
        Optional<List<String>> settingSources();

        /** Image prefixes a run may use (e.g. {@code registry.example.com/claude-runner:}); unset: any. */
        Optional<List<String>> allowedImages();

        /** Service accounts a session may name; unset: none (its runs use the operator's default). */
        Optional<List<String>> allowedServiceAccounts();

        /** Permission modes no run may use (e.g. bypassPermissions). */
        Optional<List<String>> deniedPermissionModes();

        /** The most any run may spend; set, a run without a budget of its own is refused too. */
        Optional<Double> maxBudgetUsd();

        Optional<Integer> maxTurns();

        /** The longest deadline a run may have. */
        Optional<Duration> maxTimeout();

        /** Taint keys a session's tolerations may name; unset: a session may set no toleration. */
        Optional<List<String>> allowedTolerationKeys();

        /** Node label keys a session's nodeSelector may use; unset: none. */
        Optional<List<String>> allowedNodeSelectorKeys();

        /** Label keys a session may put on its pods (they could match another app's NetworkPolicy); unset: none. */
        Optional<List<String>> allowedPodLabelKeys();

        /** Annotation keys a session may put on its pods; unset: none. */
        Optional<List<String>> allowedPodAnnotationKeys();
    }

    /** Sizes the operator bounds, whatever the CRDs let through. */
    interface Limits {
        /**
         * The most a rendered prompt (its variables filled in) may be, in UTF-8 bytes; rendering stops there,
         * {@code PromptTooLarge}, in time and memory bounded by it. At most 1000000: the prompt reaches the CLI in a
         * ConfigMap, which holds 1 MiB.
         */
        @WithDefault("524288")
        int maxPromptBytes();

        /**
         * Runs (Jobs under way) at once, in all the operator's namespaces (dev.sessionops.claude.limits.RunSlots);
         * unset: as many as are started.
         */
        Optional<Integer> maxRunning();

        /** Runs at once in each namespace (a namespace's claude.sessionops.dev/max-running annotation may lower it). */
        Optional<Integer> maxRunningPerNamespace();
    }

    /** The conversations in Redis. */
    interface History {
        /**
         * The most entries a conversation keeps (a prompt or a reply; a turn is two, and whole turns go): recording a
         * new turn trims the oldest past it. The read API's positions stay absolute and say how many were trimmed.
         */
        @WithDefault("1000")
        int maxEntries();
    }

    interface Messages {
        /**
         * How long a finished ClaudeMessage (Succeeded, Failed, Cancelled) stays once its Job is gone; then the
         * operator deletes it, and with it a one-shot message's history. A session's conversation stays in its
         * history. Unset: messages stay until deleted.
         */
        Optional<Duration> ttlAfterFinished();
    }

    /**
     * The Lease through which replicas elect the one that reconciles (active in the prod profile only, see
     * {@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
     */
    interface LeaderElection {
        /** Off for a single replica that needs no Lease (local mode); the chart keeps it on. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("claude-session-operator")
        String leaseName();

        /** The operator's own namespace (the chart sets it from the downward API); else the client's namespace. */
        Optional<String> leaseNamespace();

        /** Unique per replica; defaults to the pod name ({@code HOSTNAME}), else a per-process id. */
        Optional<String> identity();

        @WithDefault("15s")
        Duration leaseDuration();

        @WithDefault("10s")
        Duration renewDeadline();

        @WithDefault("2s")
        Duration retryPeriod();
    }

    /** The live events of runs: a Redis Stream per message, fed from the pod log (dev.sessionops.claude.events). */
    interface Events {
        /** Entries kept per message ({@code XADD … MAXLEN ~}): a runaway run cannot fill Redis. */
        @WithDefault("10000")
        long maxLength();

        /** How long a message's events stay after its run ended, for late subscribers. */
        @WithDefault("1h")
        Duration ttlAfterFinished();

        /**
         * Runs whose logs are followed at once, a thread each (blocked on the log stream); more runs wait for a
         * thread, their live events later (their record is read from the pod log at the end all the same).
         */
        @WithDefault("100")
        int maxFollowers();
    }

    /** The validating admission webhook (dev.sessionops.claude.admission). */
    interface Admission {
        /**
         * Serve {@code POST /admission/v1/validate} on the API port, for the chart's ValidatingWebhookConfiguration;
         * off: the path does not exist.
         */
        @WithDefault("true")
        boolean enabled();
    }

    /** The read API (dev.sessionops.claude.http), served as an aggregated API through the Kubernetes API server. */
    interface Api {
        Authentication authentication();

        Authorization authorization();

        /** Limits of {@code …/messages/{name}/log}, the Server-Sent Events streams. */
        Events events();

        interface Authentication {
            /**
             * How often the front-proxy trust ({@code kube-system/extension-apiserver-authentication}) is re-read; a
             * certificate it does not verify also triggers a re-read, at most every 10 s.
             */
            @WithDefault("1m")
            Duration refresh();
        }

        interface Authorization {
            /** How long a SubjectAccessReview's answer, allowed or not, is reused for the same caller and namespace. */
            @WithDefault("10s")
            Duration cacheTtl();

            /** Bounds the decision cache: past this many entries it is cleared rather than grown. */
            @WithDefault("10000")
            int cacheMaxEntries();
        }

        interface Events {
            /**
             * Event streams open at once on this replica, all users together; one more is answered 429 with
             * {@code Retry-After}.
             */
            @WithDefault("500")
            int maxStreams();

            /**
             * Event streams one user (the user the front proxy names)
             * may have open at once on this replica; one more is answered 429 with {@code Retry-After}.
             */
            @WithDefault("10")
            int maxStreamsPerUser();

            /**
             * How long one event stream lasts at most, whether or not its message ever ran: then it ends with a
             * comment asking the client to reconnect with {@code Last-Event-ID} (which EventSource does by itself).
             */
            @WithDefault("30m")
            Duration maxDuration();
        }
    }

    /**
     * The credential gateway (dev.sessionops.claude.gateway): every replica serves the model API on a port of its
     * own, swaps a run's per-message token for the real key and forwards to the upstream, so no key is in a pod. Off
     * by default here (local mode and the tests run without it); the Helm chart turns it on.
     */
    interface Gateway {
        @WithDefault("false")
        boolean enabled();

        /** The address the gateway listens on. */
        @WithDefault("0.0.0.0")
        String host();

        @WithDefault("8088")
        int port();

        /**
         * How runs reach the gateway, e.g. {@code http://claude-session-operator.cso-system.svc:8088} (the chart's
         * Service); required when enabled. A run's base URL is this plus {@code /m/<namespace>/<message>}.
         */
        Optional<String> url();

        /** The model API the gateway forwards to. */
        @WithDefault("https://api.anthropic.com")
        String upstream();

        /**
         * The Secret in the operator's namespace whose {@code signing-key} signs the per-message tokens (at least 32
         * bytes; every replica reads the same); required when enabled. The chart generates it.
         */
        Optional<String> signingSecret();

        /**
         * The model API keys, by a name of the platform team's choosing: a Secret in the operator's own namespace and
         * the tenant namespaces it serves. A namespace no key names gets no run ({@code CredentialsMissing}).
         */
        Map<String, KeyMapping> keys();

        /** The largest request body the gateway forwards (413 above). */
        @WithDefault("33554432")
        long maxBodyBytes();

        /**
         * What one namespace may spend on the model API per {@link #budgetWindow()}, in US dollars at list prices,
         * from the API's own usage; past it the gateway answers 429 and the run fails {@code BudgetExceeded}. Unset: no
         * limit.
         */
        Optional<Double> namespaceBudgetUsd();

        /** The window {@link #namespaceBudgetUsd()} counts over (fixed windows from the epoch, e.g. UTC days). */
        @WithDefault("24h")
        Duration budgetWindow();

        /** The longest a per-message token lives, for a run without a timeout of its own. */
        @WithDefault("24h")
        Duration maxTokenLifetime();

        interface KeyMapping {
            /** The Secret's name, in the operator's namespace. */
            String secret();

            /** The Secret's key holding the API key. */
            @WithDefault("ANTHROPIC_API_KEY")
            String key();

            /** The tenant namespaces this key serves; {@code *} serves every namespace no other key names. */
            List<String> namespaces();
        }
    }
}
