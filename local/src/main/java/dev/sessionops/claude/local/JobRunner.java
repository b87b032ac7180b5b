package dev.sessionops.claude.local;

import dev.sessionops.claude.local.ContainerLauncher.LaunchSpec;
import dev.sessionops.claude.local.ContainerLauncher.StartError;
import dev.sessionops.claude.local.PodPlanner.ContainerPlan;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Plays the Job controller and the kubelet for one Job: makes a Pod, starts it once its Secrets, ConfigMaps and
 * claims exist, runs the init containers and the main container, writes Pod and Job status, retries up to
 * {@code backoffLimit}, and enforces {@code activeDeadlineSeconds}.
 */
final class JobRunner {
    private static final Logger LOG = Logger.getLogger(LocalKubelet.class.getName());
    private static final int DEFAULT_BACKOFF_LIMIT = 6;

    private final LocalKubelet kubelet;
    private final Job job;
    private final String namespace;
    private final JobStatus status = new JobStatus();
    private final List<String> podNames = new ArrayList<>();
    private final Object lock = new Object();
    // guarded by lock
    private boolean finished;
    private int failures;
    private Pod pod;
    private PodState podState;
    private boolean podDeleted;
    private Process process;
    private ScheduledFuture<?> deadline;

    JobRunner(LocalKubelet kubelet, Job job) {
        this.kubelet = kubelet;
        this.job = job;
        this.namespace = job.getMetadata().getNamespace();
    }

    String uid() {
        return job.getMetadata().getUid();
    }

    String describe() {
        synchronized (lock) {
            return namespace + "/" + job.getMetadata().getName() + (podState != null && podState.lastWaiting() != null ? " (" + podState.lastWaiting() + ")" : "");
        }
    }

    boolean isFinished() {
        synchronized (lock) {
            return finished;
        }
    }

    void start() {
        status.setStartTime(PodState.now());
        status.setActive(1);
        status.setReady(0);
        writeJobStatus();
        Long seconds = job.getSpec().getActiveDeadlineSeconds();
        if (seconds != null) {
            synchronized (lock) {
                deadline = kubelet.schedule(this::deadlineExceeded, seconds * 1000);
            }
        }
        newPod();
    }

    private void newPod() {
        Pod created = kubelet.client().pods().inNamespace(namespace).resource(JobPods.newPod(job, LocalKubelet.NODE_NAME))
                .create();
        String name = created.getMetadata().getName();
        List<String> containers = created.getSpec().getContainers().stream().map(Container::getName).toList();
        List<String> all = new ArrayList<>(containers);
        created.getSpec().getInitContainers().forEach(c -> all.add(c.getName()));
        kubelet.logs().podCreated(namespace, name, containers, all);
        synchronized (lock) {
            if (finished) {
                deletePod(name);
                return;
            }
            pod = created;
            podState = new PodState(created);
            podDeleted = false;
            podNames.add(name);
        }
        writePodStatus();
        tryStart();
    }

    /** Starts the pod once what it references exists; until then it waits like a real pod does. */
    private void tryStart() {
        synchronized (lock) {
            if (finished) {
                return;
            }
            if (podDeleted) {
                kubelet.submitControl(this::podFailed);
                return;
            }
        }
        try {
            List<ContainerPlan> plans = plan();
            kubelet.submitRun(() -> run(plans));
        } catch (PodNotReady notReady) {
            PodState state;
            synchronized (lock) {
                state = podState;
            }
            if (state.cannotStartYet(notReady)) {
                LOG.info("LocalKubelet: pod " + namespace + "/" + pod.getMetadata().getName() + " waits: " + state.lastWaiting());
                writePodStatus();
            }
            kubelet.schedule(this::tryStart, 500);
        }
    }

    private List<ContainerPlan> plan() throws PodNotReady {
        Pod current;
        synchronized (lock) {
            current = pod;
        }
        return kubelet.planner().plan(current, kubelet.podDir(namespace, current.getMetadata().getName()));
    }

    private void run(List<ContainerPlan> plans) {
        for (ContainerPlan plan : plans) {
            Integer exit = runContainer(plan);
            if (exit == null) {
                return; // the Job ended meanwhile (deadline, deletion, shutdown)
            }
            synchronized (lock) {
                if (podDeleted) {
                    kubelet.submitControl(this::podFailed);
                    return;
                }
            }
            if (exit != 0 || !plan.init()) {
                podState.finished(exit == 0);
                writePodStatus();
                kubelet.submitControl(exit == 0 ? this::succeeded : this::podFailed);
                return;
            }
        }
    }

    /** The exit code, or null when the Job was stopped while the container ran. */
    private Integer runContainer(ContainerPlan plan) {
        String podName = pod.getMetadata().getName();
        String name = plan.container().getName();
        LogBuffer log = new LogBuffer();
        LaunchSpec view = kubelet.launcher().processView(plan.spec());
        Map<String, Path> mounts = new LinkedHashMap<>();
        view.mounts().forEach(m -> mounts.put(m.mountPath(), m.source()));
        ContainerRun run = new ContainerRun(namespace, job.getMetadata().getName(), podName, name, plan.init(),
                view.argv(), view.env(), view.workingDir(), mounts, kubelet.runUid(view), log);
        kubelet.record(run);
        LOG.info("LocalKubelet: starting " + namespace + "/" + podName + "/" + name + " as uid " + run.uid());
        Instant started = run.startedAt();
        Process process0;
        try {
            process0 = kubelet.launcher().start(view);
        } catch (StartError e) {
            log.append(e.getMessage() + "\n");
            kubelet.logs().containerStarted(namespace, podName, name, log);
            run.finished(128);
            podState.terminated(name, 128, "StartError", e.getMessage(), started);
            return 128;
        }
        synchronized (lock) {
            process = process0;
            if (finished || podDeleted) {
                kubelet.launcher().kill(process0, grace());
            }
        }
        // status first, then the log: whoever sees output also sees Running (the pipe holds output meanwhile)
        podState.running(name, started);
        writePodStatus();
        kubelet.logs().containerStarted(namespace, podName, name, log);
        Thread pump = ContainerLauncher.pump(process0.getInputStream(), log, "log " + podName + "/" + name);
        int exit = waitFor(process0);
        try {
            pump.join(2000); // output of orphans that outlive the process is not waited for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        run.finished(exit);
        synchronized (lock) {
            process = null;
            if (finished) {
                return null;
            }
        }
        podState.terminated(name, exit, exit == 0 ? "Completed" : "Error", null, started);
        return exit;
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // kill() ends the process; keep waiting for its exit code
            }
        }
    }

    private void succeeded() {
        synchronized (lock) {
            if (!finish()) {
                return;
            }
        }
        String now = PodState.now();
        status.setActive(null);
        status.setReady(0);
        status.setSucceeded(1);
        status.setCompletionTime(now);
        status.setConditions(List.of(
                condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now),
                condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now)));
        writeJobStatus();
    }

    private void podFailed() {
        int backoffLimit = Objects.requireNonNullElse(job.getSpec().getBackoffLimit(), DEFAULT_BACKOFF_LIMIT);
        boolean retry;
        synchronized (lock) {
            if (finished) {
                return;
            }
            failures++;
            status.setFailed(failures);
            retry = failures <= backoffLimit;
        }
        if (retry) {
            writeJobStatus();
            newPod(); // a real controller backs off exponentially; no need to wait here
            return;
        }
        failed("BackoffLimitExceeded", "Job has reached the specified backoff limit");
    }

    private void deadlineExceeded() {
        Process running;
        String podName;
        synchronized (lock) {
            if (!finish()) {
                return;
            }
            running = process;
            podName = pod == null ? null : pod.getMetadata().getName();
            if (running != null || podState != null && "Running".equals(podState.phase())) {
                failures++;
                status.setFailed(failures);
            }
        }
        if (running != null) {
            kubelet.launcher().kill(running, grace());
        }
        if (podName != null) {
            deletePod(podName); // the Job controller deletes the active pod
        }
        writeFailed("DeadlineExceeded", "Job was active longer than specified deadline");
    }

    private void failed(String reason, String message) {
        synchronized (lock) {
            if (!finish()) {
                return;
            }
        }
        writeFailed(reason, message);
    }

    private void writeFailed(String reason, String message) {
        String now = PodState.now();
        status.setActive(null);
        status.setReady(0);
        status.setConditions(List.of(condition("FailureTarget", reason, message, now),
                condition("Failed", reason, message, now)));
        writeJobStatus();
    }

    /** Marks the Job finished; false if it already was. Call with the lock held. */
    private boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        return true;
    }

    /** As a kubelet: the pod's terminationGracePeriodSeconds between SIGTERM and SIGKILL, at most the kubelet's. */
    private Duration grace() {
        Long seconds = job.getSpec() == null || job.getSpec().getTemplate() == null
                || job.getSpec().getTemplate().getSpec() == null ? null
                        : job.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        Duration most = kubelet.options().killGracePeriod();
        return seconds == null || Duration.ofSeconds(seconds).compareTo(most) > 0 ? most : Duration.ofSeconds(seconds);
    }

    /**
     * The Job was deleted: stop its container (gracefully, within the pod's grace period), then delete its pods, as
     * garbage collection would. The pods go a moment after the container ended, as a kubelet reports the termination
     * before the pod is removed: the log (served as a snapshot here, not streamed) stays readable for a follower's
     * next poll, so a stopped run's last lines (its result) are not lost.
     */
    void jobDeleted() {
        List<String> pods = stop();
        if (kubelet.schedule(() -> pods.forEach(this::deletePod), TERMINATION_REPORTED.toMillis()) == null) {
            pods.forEach(this::deletePod); // closing
        }
    }

    /** How long a stopped pod stays after its container ended (longer than a log follower's poll). */
    static final Duration TERMINATION_REPORTED = Duration.ofSeconds(1);

    /** Someone deleted one of our pods: a running one is killed and counts as failed. */
    void podDeleted(String podName) {
        Process running;
        synchronized (lock) {
            if (finished || pod == null || !pod.getMetadata().getName().equals(podName) || podDeleted) {
                return;
            }
            podDeleted = true;
            running = process;
        }
        kubelet.logs().podDeleted(namespace, podName);
        if (running != null) {
            kubelet.launcher().kill(running, grace());
        }
    }

    /** Ends the run without writing status (kubelet shutdown or Job deletion); returns the pods it made. */
    List<String> stop() {
        Process running;
        synchronized (lock) {
            finish();
            running = process;
        }
        if (running != null) {
            kubelet.launcher().kill(running, grace());
        }
        synchronized (lock) {
            return List.copyOf(podNames);
        }
    }

    private void deletePod(String podName) {
        kubelet.logs().podDeleted(namespace, podName);
        try {
            kubelet.client().pods().inNamespace(namespace).withName(podName).delete();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "LocalKubelet: deleting pod " + podName, e);
        }
    }

    private static JobCondition condition(String type, String reason, String message, String now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(now).withLastTransitionTime(now).build();
    }

    private void writeJobStatus() {
        kubelet.statusWriter().job(namespace, job.getMetadata().getName(), uid(), status);
    }

    private void writePodStatus() {
        Pod current;
        synchronized (lock) {
            current = pod;
        }
        kubelet.statusWriter().pod(namespace, current.getMetadata().getName(), podState.toStatus());
    }
}
