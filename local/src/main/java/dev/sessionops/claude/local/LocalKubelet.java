package dev.sessionops.claude.local;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Plays the Job controller and the kubelet against the Fabric8 mock API server (CRUD mode), which stores objects
 * but runs no controllers: every Job becomes a Pod whose containers run as local processes, with env from
 * Secrets/ConfigMaps, volumes at their mountPaths (claims shared across Jobs), the pod log served through the
 * normal {@code pods().getLog()} call, and Pod/Job status written like the real controllers.
 * <p>
 * Not emulated: the image (a container needs an explicit {@code command}; HOME defaults to a per-pod directory),
 * more than one main container, {@code restartPolicy: OnFailure}, retry back-off delays, the TTL controller, garbage
 * collection beyond the pods of a deleted Job, {@code follow} on logs (returns the log so far). Mount points are
 * created, empty, on the host's root file system.
 *
 * <pre>{@code
 * try (LocalKubelet kubelet = LocalKubelet.start(server, client, LocalKubelet.Options.defaults().withPath(cliDir))) {
 *     client.batch().v1().jobs().inNamespace("ns").resource(job).create();
 *     kubelet.awaitIdle(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class LocalKubelet extends KubeletCore {
    private static final Logger LOG = Logger.getLogger(LocalKubelet.class.getName());
    static final String NODE_NAME = "local-kubelet";
    static final String NODE_IP = "127.0.0.1";

    /**
     * @param path             directories put in front of every process's PATH (e.g. the claude CLI's)
     * @param env              env given to every process; the container's own env wins
     * @param baseDir          where volumes live; null: a temp dir deleted on close
     * @param maxParallel      pods running at once, the rest queue (Pending); the CLI takes ~300 MB each
     * @param killGracePeriod  the longest SIGTERM → SIGKILL delay on deletion and deadline: a pod's
     *                         terminationGracePeriodSeconds when shorter (a container's main process that ignores
     *                         SIGTERM, as PID 1 of its namespace does without a handler, waits it out)
     * @param rewritePaths     force the fallback that rewrites mount paths instead of mounting
     * @param operatorJobsOnly run only the Jobs the operator made for a ClaudeMessage (local mode): labelled
     *                         {@code app.kubernetes.io/managed-by=claude-session-operator} and controlled by a
     *                         ClaudeMessage that exists in the Job's namespace with that uid; any other Job never
     *                         gets a pod (one warning each)
     */
    public record Options(List<Path> path, Map<String, String> env, Path baseDir, int maxParallel,
            Duration killGracePeriod, boolean rewritePaths, boolean operatorJobsOnly) {

        public static Options defaults() {
            return new Options(List.of(), Map.of(), null, 2, Duration.ofSeconds(1), false, false);
        }

        public Options withPath(Path... dirs) {
            return new Options(Stream.concat(path.stream(), Stream.of(dirs)).toList(), env, baseDir, maxParallel,
                    killGracePeriod, rewritePaths, operatorJobsOnly);
        }

        public Options withEnv(String name, String value) {
            Map<String, String> merged = new LinkedHashMap<>(env);
            merged.put(name, value);
            return withEnv(merged);
        }

        public Options withEnv(Map<String, String> all) {
            return new Options(path, Map.copyOf(all), baseDir, maxParallel, killGracePeriod, rewritePaths, operatorJobsOnly);
        }

        public Options withBaseDir(Path dir) {
            return new Options(path, env, dir, maxParallel, killGracePeriod, rewritePaths, operatorJobsOnly);
        }

        public Options withMaxParallel(int n) {
            return new Options(path, env, baseDir, n, killGracePeriod, rewritePaths, operatorJobsOnly);
        }

        public Options withKillGracePeriod(Duration grace) {
            return new Options(path, env, baseDir, maxParallel, grace, rewritePaths, operatorJobsOnly);
        }

        public Options withPathRewriting() {
            return new Options(path, env, baseDir, maxParallel, killGracePeriod, true, operatorJobsOnly);
        }

        public Options withOperatorJobsOnly() {
            return new Options(path, env, baseDir, maxParallel, killGracePeriod, rewritePaths, true);
        }
    }

    private final PodLogs logs;
    private final StatusWriter statusWriter;
    private final Map<String, JobRunner> runners = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final Set<String> startedOnServer;
    /**
     * The Jobs earlier kubelets started, as this one began: idle needs nothing of them. Not {@link #startedOnServer}
     * itself, where a Job this kubelet is starting appears a moment before its runner does.
     */
    private final Set<String> startedBefore;
    /** Jobs not run because the operator did not make them (operatorJobsOnly), by uid. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * What outlives one kubelet on a mock server (a {@code @QuarkusTest} keeps server and operator across tests):
     * the Jobs already started, never run twice, and the pod logs, still served after the kubelet closed.
     */
    private record ServerState(Set<String> startedJobs, PodLogs logs) {
    }

    private static final Map<KubernetesMockServer, ServerState> SERVERS = new WeakHashMap<>();

    private static synchronized ServerState stateOf(KubernetesMockServer server) {
        return SERVERS.computeIfAbsent(server, s -> new ServerState(ConcurrentHashMap.newKeySet(), PodLogs.install(s)));
    }

    private LocalKubelet(KubernetesMockServer server, KubernetesClient client, Options options) throws IOException {
        super("local-kubelet", client, options);
        this.statusWriter = new StatusWriter(client);
        ServerState state = stateOf(server);
        this.logs = state.logs();
        this.startedOnServer = state.startedJobs();
        this.startedBefore = Set.copyOf(startedOnServer);
    }

    public static LocalKubelet start(KubernetesMockServer server, KubernetesClient client, Options options) {
        try {
            LocalKubelet kubelet = new LocalKubelet(server, client, options);
            kubelet.watch();
            return kubelet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static LocalKubelet start(KubernetesMockServer server, KubernetesClient client) {
        return start(server, client, Options.defaults());
    }

    private void watch() {
        // the mock server replays every object as ADDED on each watch: runners are keyed by Job uid
        informers.add(client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<Job>() {
            @Override
            public void onAdd(Job job) {
                submitControl(() -> jobSeen(job));
            }

            @Override
            public void onUpdate(Job old, Job job) {
                submitControl(() -> jobSeen(job));
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                submitControl(() -> jobGone(job));
            }
        }));
        informers.add(client.pods().inAnyNamespace().inform(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    onDelete(pod, false);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                JobRunner runner = runnerOf(pod);
                if (runner != null) {
                    submitControl(() -> runner.podDeleted(pod.getMetadata().getName()));
                }
            }
        }));
    }

    private JobRunner runnerOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        String uid = labels == null ? null : labels.get(JobPods.CONTROLLER_UID);
        return uid == null ? null : runners.get(uid);
    }

    private void jobSeen(Job job) {
        if (closed || job.getMetadata().getDeletionTimestamp() != null) {
            jobGone(job);
            return;
        }
        String uid = job.getMetadata().getUid();
        if (runners.containsKey(uid) || refused.contains(uid) || Boolean.TRUE.equals(job.getSpec().getSuspend())
                || finished(job)) {
            return;
        }
        if (options.operatorJobsOnly()) {
            String why = notTheOperators(job);
            if (why != null) {
                refused.add(uid);
                LOG.warning("LocalKubelet: not running Job " + job.getMetadata().getNamespace() + "/"
                        + job.getMetadata().getName() + ": " + why);
                return;
            }
        }
        if (!startedOnServer.add(uid)) {
            return; // a Job an earlier kubelet started stays as that kubelet left it
        }
        JobRunner runner = new JobRunner(this, job);
        runners.put(uid, runner);
        runner.start();
    }

    /** Null when the operator made the Job for a ClaudeMessage that exists; otherwise why not. */
    private String notTheOperators(Job job) {
        Map<String, String> labels = job.getMetadata().getLabels();
        if (labels == null || !Labels.OPERATOR.equals(labels.get(Labels.MANAGED_BY))) {
            return "it is not labelled " + Labels.MANAGED_BY + "=" + Labels.OPERATOR;
        }
        List<OwnerReference> controllers = job.getMetadata().getOwnerReferences() == null ? List.of()
                : job.getMetadata().getOwnerReferences().stream().filter(o -> Boolean.TRUE.equals(o.getController())).toList();
        String apiVersion = HasMetadata.getApiVersion(ClaudeMessage.class);
        String kind = HasMetadata.getKind(ClaudeMessage.class);
        if (controllers.size() != 1 || !apiVersion.equals(controllers.get(0).getApiVersion())
                || !kind.equals(controllers.get(0).getKind()) || controllers.get(0).getName() == null
                || controllers.get(0).getUid() == null) {
            return "its controller is not a " + kind + " (" + apiVersion + ")";
        }
        OwnerReference owner = controllers.get(0);
        ClaudeMessage message;
        try {
            message = client.resources(ClaudeMessage.class).inNamespace(job.getMetadata().getNamespace())
                    .withName(owner.getName()).get();
        } catch (RuntimeException e) {
            return "its " + kind + " " + owner.getName() + " cannot be read: " + e.getMessage();
        }
        if (message == null || !owner.getUid().equals(message.getMetadata().getUid())) {
            return "its " + kind + " " + owner.getName() + " does not exist (with uid " + owner.getUid() + ")";
        }
        return null;
    }

    private void jobGone(Job job) {
        JobRunner runner = runners.get(job.getMetadata().getUid());
        if (runner != null) {
            runner.jobDeleted();
        }
    }

    /**
     * Waits until every Job in the API server is finished (status Complete/Failed written) or suspended. A Job whose
     * pod waits for a missing Secret, ConfigMap or claim keeps it busy, as on a cluster.
     */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> busy = new ArrayList<>();
            // the API, not the informer cache: a Job created just before this call may not have been watched yet
            for (Job job : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
                JobRunner runner = runners.get(job.getMetadata().getUid());
                if (runner == null && (Boolean.TRUE.equals(job.getSpec().getSuspend())
                        || startedBefore.contains(job.getMetadata().getUid()) || refused.contains(job.getMetadata().getUid()))) {
                    continue; // suspended, left behind by an earlier kubelet, or not ours to run
                }
                if (runner == null || !runner.isFinished() || !finished(job)) {
                    busy.add(runner == null ? job.getMetadata().getNamespace() + "/" + job.getMetadata().getName()
                            : runner.describe());
                }
            }
            if (busy.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("LocalKubelet not idle after " + timeout + ": " + busy);
            }
            sleep(100);
        }
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::close);
        runners.values().forEach(JobRunner::stop);
        closeCore();
    }

    // --- for JobRunner

    KubernetesClient client() {
        return client;
    }

    Options options() {
        return options;
    }

    PodLogs logs() {
        return logs;
    }

    ContainerEnv env() {
        return env;
    }

    PodVolumes volumes() {
        return volumes;
    }

    ContainerLauncher launcher() {
        return launcher;
    }

    PodPlanner planner() {
        return planner;
    }

    StatusWriter statusWriter() {
        return statusWriter;
    }

    long harnessUid() {
        return harnessUid;
    }

    Path podDir(String namespace, String podName) {
        return baseDir.resolve("pods").resolve(namespace).resolve(podName);
    }

    void record(ContainerRun run) {
        runs.add(run);
    }

    void submitControl(Runnable task) {
        if (!closed) {
            control.execute(logged(task));
        }
    }

    void submitRun(Runnable task) {
        if (!closed) {
            slots.execute(logged(task));
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return closed ? null : timers.schedule(logged(task), delayMillis, TimeUnit.MILLISECONDS);
    }

    private Runnable logged(Runnable task) {
        return KubeletThreads.logged("LocalKubelet", task, () -> closed);
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }


    /**
     * Whether the Job has ended, read from the conditions this kubelet's Job runner writes (as the Job controller
     * does): its own reading, not the operator's, so the stand-in does not agree with the system under test by
     * construction.
     */
    static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }
}
