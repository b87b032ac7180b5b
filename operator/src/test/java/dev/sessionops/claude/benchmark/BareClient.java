package dev.sessionops.claude.benchmark;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.cli.ClaudeCommand;
import dev.sessionops.claude.cli.RunOptions;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.message.JobPlan;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.message.PromptConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The floor every figure is compared with: a client with no operator logic that drives the same chains of Jobs on
 * the same control plane and kubelet. Per message it creates a Job like the operator's (built by the operator's own
 * {@link JobSpecBuilder}: same command, env, volumes, security), waits for it to complete through a watch, then at
 * once, in parallel, creates the chain's next Job and marks the finished one {@link #RECORDED} (one patch: the least a
 * controller does to record an outcome, where the operator reads the log, runs the Redis script and writes
 * statuses). It runs as a ServiceAccount of its own, so the audit log counts its requests apart.
 *
 * <p>Its Jobs are labelled {@code managed-by: cso-benchmark}, not the operator's value, so the operator's informers
 * (selected by that label) never see them; each is owned by a ConfigMap standing for its message (an owner that
 * does not exist would have the garbage collector delete the Job), and mounts a claim of its chain like a session's
 * state volume.
 */
final class BareClient implements AutoCloseable {
    /** The annotation that marks a bare Job's run recorded. */
    static final String RECORDED = "benchmark.sessionops.dev/recorded";
    static final String MANAGED_BY = "cso-benchmark";
    static final String PROMPT = "Benchmark turn";

    private final KubernetesClient client;
    private final ExecutorService pool;

    /** @param threads how many requests may be in flight at once (the operator's reconcilers have pools too) */
    BareClient(KubernetesClient client, int threads) {
        this.client = client;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bare-client");
            t.setDaemon(true);
            return t;
        });
    }

    /** What a chain needs before its first Job, made outside any timed window: its owner and its claim. */
    Map<String, String> prepare(String namespace, List<Chain> chains) {
        Map<String, String> ownerUids = new ConcurrentHashMap<>();
        for (Chain chain : chains) {
            ConfigMap owner = client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                    .withNewMetadata().withName(chain.session()).endMetadata().build()).create();
            ownerUids.put(chain.session(), owner.getMetadata().getUid());
            client.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(stateClaim(chain)).endMetadata()
                    .withNewSpec().withAccessModes("ReadWriteOnce")
                    .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                    .build()).create();
        }
        return ownerUids;
    }

    /**
     * Starts the chains (their first Jobs) and drives them until each has run; the caller waits on its
     * {@link Timeline} and closes the run.
     */
    Run start(String namespace, List<Chain> chains, Map<String, String> ownerUids) {
        Run run = new Run(namespace, chains, ownerUids);
        run.watch = client.batch().v1().jobs().inNamespace(namespace).withLabel(Labels.MANAGED_BY, MANAGED_BY)
                .watch(run);
        chains.forEach(c -> pool.execute(() -> run.create(c, 0)));
        return run;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String stateClaim(Chain chain) {
        return chain.session() + "-state";
    }

    /** One run of chains: the watch that moves them on. */
    final class Run implements Watcher<Job>, AutoCloseable {
        private final String namespace;
        private final Map<String, String> ownerUids;
        private final Map<String, Chain> chainOf = new ConcurrentHashMap<>();
        private final Set<String> finished = ConcurrentHashMap.newKeySet();
        private volatile Watch watch;

        private Run(String namespace, List<Chain> chains, Map<String, String> ownerUids) {
            this.namespace = namespace;
            this.ownerUids = ownerUids;
            chains.forEach(c -> c.messages().forEach(m -> chainOf.put(m, c)));
        }

        @Override
        public void eventReceived(Action action, Job job) {
            if (action == Action.DELETED || !ended(job)) {
                return;
            }
            String name = job.getMetadata().getName();
            if (!finished.add(name)) {
                return; // a later update of a Job already handled
            }
            Chain chain = chainOf.get(name);
            int next = chain.messages().indexOf(name) + 1;
            pool.execute(() -> markRecorded(name));
            if (next < chain.messages().size()) {
                pool.execute(() -> create(chain, next));
            }
        }

        private boolean ended(Job job) {
            return job.getStatus() != null && job.getStatus().getConditions() != null
                    && job.getStatus().getConditions().stream().anyMatch(c -> "True".equals(c.getStatus())
                            && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
        }

        private void create(Chain chain, int index) {
            try {
                JobPlan plan = plan(chain, index);
                // as the operator does: the prompt's ConfigMap, then the Job that mounts it
                ConfigMap prompt = PromptConfigMap.of(plan);
                prompt.getMetadata().getLabels().put(Labels.MANAGED_BY, MANAGED_BY);
                client.configMaps().inNamespace(namespace).resource(prompt).create();
                client.batch().v1().jobs().inNamespace(namespace).resource(job(plan)).create();
            } catch (RuntimeException e) {
                System.err.println("bare client: creating " + chain.messages().get(index) + " failed: " + e);
            }
        }

        private void markRecorded(String name) {
            try {
                client.batch().v1().jobs().inNamespace(namespace).withName(name)
                        .patch(PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"" + RECORDED + "\":\"true\"}}}");
            } catch (RuntimeException e) {
                System.err.println("bare client: marking " + name + " failed: " + e);
            }
        }

        /** What the operator would plan for this message. */
        private JobPlan plan(Chain chain, int index) {
            String message = chain.messages().get(index);
            return JobPlan.builder()
                    .owner(new JobPlan.Owner("v1", "ConfigMap", chain.session(), ownerUids.get(chain.session())))
                    .namespace(namespace).messageName(message).sessionName(chain.session()).jobName(message)
                    .image("ghcr.io/sessionops/claude-runner:2.1.330")
                    .command(ClaudeCommand.argv(RunOptions.builder(PROMPT).settingSources(List.of()).build()))
                    .env(List.of(new EnvVar("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", null),
                            new EnvVar("DISABLE_TELEMETRY", "1", null)))
                    .credentials(new JobPlan.CredentialsRef(Harness.SECRET, List.of("ANTHROPIC_API_KEY")))
                    .stateClaimName(stateClaim(chain))
                    .activeDeadlineSeconds(1800L).ttlSecondsAfterFinished(86400)
                    .prompt(PROMPT)
                    .build();
        }

        /** The Job the operator would write for this message, relabelled as the bare client's. */
        private Job job(JobPlan plan) {
            Job job = JobSpecBuilder.build(plan);
            job.getMetadata().getLabels().put(Labels.MANAGED_BY, MANAGED_BY);
            job.getSpec().getTemplate().getMetadata().getLabels().put(Labels.MANAGED_BY, MANAGED_BY);
            job.getMetadata().getAnnotations().remove(JobSpecBuilder.SESSION_ANNOTATION);
            return job;
        }

        @Override
        public void onClose(WatcherException cause) {
            System.err.println("bare client: watch closed: " + cause);
        }

        @Override
        public void close() {
            if (watch != null) {
                watch.close();
            }
        }
    }
}
