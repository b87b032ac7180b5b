package dev.sessionops.claude.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What every kubelet here is made of, whichever API server it serves: where volumes live, how containers start
 * (launcher, env, planner), the bounded pool of running pods, and the record of every run. {@link LocalKubelet} adds
 * the Job controller the mock server lacks; the real-API-server kubelet of the tests adds a Node and its HTTPS server.
 */
abstract class KubeletCore implements Kubelet {
    protected final KubernetesClient client;
    protected final LocalKubelet.Options options;
    protected final Path baseDir;
    protected final boolean ownsBaseDir;
    protected final long harnessUid = new com.sun.security.auth.module.UnixSystem().getUid();
    protected final ContainerLauncher launcher;
    protected final ContainerEnv env;
    protected final PodVolumes volumes;
    protected final PodPlanner planner;
    protected final List<ContainerRun> runs = new CopyOnWriteArrayList<>();
    protected final ExecutorService control;
    protected final ScheduledExecutorService timers;
    protected final ExecutorService slots;

    /** @param name the threads' and temp dir's prefix, e.g. {@code local-kubelet} */
    protected KubeletCore(String name, KubernetesClient client, LocalKubelet.Options options) throws IOException {
        this.client = client;
        this.options = options;
        this.ownsBaseDir = options.baseDir() == null;
        this.baseDir = ownsBaseDir ? Files.createTempDirectory(name) : options.baseDir();
        this.launcher = ContainerLauncher.detect(options.rewritePaths());
        if (ownsBaseDir) {
            // a test's temp dir: others must traverse it when a pod drops to runAsUser and its paths are rewritten
            Files.setPosixFilePermissions(baseDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (containersSeeHostPaths()) {
            // a given dir (local mode's, 0700) is opened for traversal only, and only when that is needed
            Files.setPosixFilePermissions(baseDir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        this.control = Executors.newSingleThreadExecutor(KubeletThreads.daemon(name + "-control"));
        this.timers = Executors.newScheduledThreadPool(2, KubeletThreads.daemon(name + "-timer"));
        this.slots = Executors.newFixedThreadPool(options.maxParallel(), KubeletThreads.daemon(name + "-run"));
        this.env = new ContainerEnv(client);
        this.volumes = new PodVolumes(client, env, baseDir.resolve("claims"));
        this.planner = new PodPlanner(env, volumes, options, harnessUid);
    }

    /** The uid a launched process runs as: the one it switches to, or ours. */
    long runUid(ContainerLauncher.LaunchSpec spec) {
        return spec.uid() != null ? spec.uid() : harnessUid;
    }

    /** Every container process started so far, in start order (init containers included). */
    @Override
    public List<ContainerRun> runs() {
        return List.copyOf(runs);
    }

    /** The host directory behind a PersistentVolumeClaim (created if needed, e.g. to seed files). */
    @Override
    public Path volumeDir(String namespace, String claimName) {
        Path dir = volumes.claimDir(namespace, claimName);
        PodVolumes.createDirectories(dir);
        return dir;
    }

    public Path baseDir() {
        return baseDir;
    }

    /**
     * True when a container process, switched to another user, reaches its volumes by their host paths (root without
     * unshare: paths rewritten): the directories above them must then let others traverse.
     */
    public boolean containersSeeHostPaths() {
        return harnessUid == 0 && !launcher.isolated;
    }

    /** True when volumes appear at their real mountPaths (root + unshare); false when paths are rewritten. */
    public boolean mountsAtRealPaths() {
        return launcher.isolated;
    }

    /** Stops the pools and removes a temp base dir; subclasses stop their own parts first. */
    protected void closeCore() {
        control.shutdownNow();
        timers.shutdownNow();
        slots.shutdownNow();
        if (ownsBaseDir) {
            KubeletThreads.deleteRecursively(baseDir);
        }
    }
}
