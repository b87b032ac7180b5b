package dev.sessionops.claude.local;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One container process the {@link LocalKubelet} ran (or is running), as the process saw it. */
public final class ContainerRun {
    private final String namespace;
    private final String jobName;
    private final String podName;
    private final String container;
    private final boolean init;
    private final List<String> argv;
    private final Map<String, String> env;
    private final String workingDir;
    private final Map<String, Path> mounts;
    private final long uid;
    private final Instant startedAt;
    private final LogBuffer log;
    private volatile Integer exitCode;
    private volatile Instant finishedAt;

    ContainerRun(String namespace, String jobName, String podName, String container, boolean init, List<String> argv,
            Map<String, String> env, String workingDir, Map<String, Path> mounts, long uid, LogBuffer log) {
        this.namespace = namespace;
        this.jobName = jobName;
        this.podName = podName;
        this.container = container;
        this.init = init;
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
        this.workingDir = workingDir;
        this.mounts = Map.copyOf(mounts);
        this.uid = uid;
        this.startedAt = Instant.now();
        this.log = log;
    }

    void finished(int exitCode) {
        this.exitCode = exitCode;
        this.finishedAt = Instant.now();
    }

    public String namespace() {
        return namespace;
    }

    public String jobName() {
        return jobName;
    }

    public String podName() {
        return podName;
    }

    public String container() {
        return container;
    }

    public boolean isInitContainer() {
        return init;
    }

    /** The exec array after {@code $(VAR)} expansion (and path rewriting, when mounts are not available). */
    public List<String> argv() {
        return argv;
    }

    /** The process environment. */
    public Map<String, String> env() {
        return env;
    }

    public String workingDir() {
        return workingDir;
    }

    /** mountPath → the host directory (or file) behind it. */
    public Map<String, Path> mounts() {
        return mounts;
    }

    /** The uid the process runs as (never 0: see {@link PodPlanner#UNPRIVILEGED_UID}). */
    public long uid() {
        return uid;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Null while running. */
    public Instant finishedAt() {
        return finishedAt;
    }

    /** Null while running; 128+signal when killed. */
    public Integer exitCode() {
        return exitCode;
    }

    public boolean isFinished() {
        return exitCode != null;
    }

    /** stdout and stderr, interleaved; kept after the pod is gone. */
    public String log() {
        return log.text();
    }

    @Override
    public String toString() {
        return namespace + "/" + podName + "/" + container + " " + argv + " uid=" + uid + " exit=" + exitCode;
    }
}
