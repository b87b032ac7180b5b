package dev.sessionops.claude.local;

import dev.sessionops.claude.local.ContainerLauncher.LaunchSpec;
import dev.sessionops.claude.local.PodVolumes.Mount;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a Pod into the processes a kubelet starts for it: volumes prepared, env resolved (Secrets, ConfigMaps,
 * fieldRefs), {@code $(VAR)} expanded, PATH extras and user from the security contexts. Shared by
 * {@link LocalKubelet} (mock server) and {@link RealKubelet} (real API server).
 */
final class PodPlanner {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /**
     * Who a container runs as when the kubelet is root and the pod names no user (or root): {@code nobody}. Not 1000,
     * the runner image's user: on a laptop uid 1000 is usually the person at the keyboard, whose files a container
     * must not own; 65534 owns nothing (the volumes a pod writes are chowned to it, as for any runAsUser).
     */
    static final long UNPRIVILEGED_UID = 65534;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LocalKubelet.class.getName());

    /** One container to run, init containers first. */
    record ContainerPlan(Container container, boolean init, LaunchSpec spec) {
    }

    private final ContainerEnv env;
    private final PodVolumes volumes;
    private final LocalKubelet.Options options;
    private final long harnessUid;

    PodPlanner(ContainerEnv env, PodVolumes volumes, LocalKubelet.Options options, long harnessUid) {
        this.env = env;
        this.volumes = volumes;
        this.options = options;
        this.harnessUid = harnessUid;
    }

    /** Every container of the pod, init containers first; {@link PodNotReady} while something it needs is missing. */
    List<ContainerPlan> plan(Pod pod, Path podDir) throws PodNotReady {
        Map<String, Path> volumeDirs = volumes.prepare(pod, podDir);
        Path home = podDir.resolve("home");
        PodVolumes.createDirectories(home);
        List<ContainerPlan> plans = new ArrayList<>();
        for (Container c : pod.getSpec().getInitContainers()) {
            plans.add(new ContainerPlan(c, true, spec(pod, c, volumeDirs, home)));
        }
        for (Container c : pod.getSpec().getContainers()) {
            plans.add(new ContainerPlan(c, false, spec(pod, c, volumeDirs, home)));
        }
        return plans;
    }

    private LaunchSpec spec(Pod pod, Container container, Map<String, Path> volumeDirs, Path home) throws PodNotReady {
        if (container.getCommand().isEmpty()) {
            throw PodNotReady.configError("LocalKubelet needs an explicit command for container " + container.getName()
                    + " (it cannot read the image's entrypoint)");
        }
        PodSecurityContext podSecurity = pod.getSpec().getSecurityContext() == null ? new PodSecurityContext()
                : pod.getSpec().getSecurityContext();
        SecurityContext security = container.getSecurityContext() == null ? new SecurityContext() : container.getSecurityContext();
        Long requestedUid = first(security.getRunAsUser(), podSecurity.getRunAsUser());
        Long requestedGid = first(security.getRunAsGroup(), podSecurity.getRunAsGroup());
        boolean nonRoot = Boolean.TRUE.equals(first(security.getRunAsNonRoot(), podSecurity.getRunAsNonRoot()));
        if (nonRoot && requestedUid != null && requestedUid == 0) {
            throw PodNotReady.configError("container's runAsUser breaks non-root policy (container: " + container.getName() + ")");
        }
        Long uid = runAs(requestedUid, container.getName());
        Long gid = uid == null ? null : nonZero(requestedGid, uid);
        List<Long> groups = new ArrayList<>();
        if (podSecurity.getFsGroup() != null) {
            groups.add(podSecurity.getFsGroup());
        }
        groups.addAll(podSecurity.getSupplementalGroups());
        if (uid != null) {
            groups.removeIf(g -> g == 0); // no root group either
        }

        LinkedHashMap<String, String> containerEnv = env.resolve(pod, container);
        List<String> argv = new ArrayList<>();
        container.getCommand().forEach(a -> argv.add(VarExpansion.expand(a, containerEnv)));
        container.getArgs().forEach(a -> argv.add(VarExpansion.expand(a, containerEnv)));

        Map<String, String> processEnv = new LinkedHashMap<>();
        processEnv.put("HOSTNAME", pod.getMetadata().getName());
        processEnv.put("HOME", home.toString());
        processEnv.putAll(options.env());
        processEnv.putAll(containerEnv);
        String path = processEnv.getOrDefault("PATH", DEFAULT_PATH);
        if (!options.path().isEmpty()) {
            path = String.join(":", options.path().stream().map(Path::toString).toList()) + ":" + path;
        }
        processEnv.put("PATH", path);

        List<Mount> mounts = volumes.mounts(pod, container, volumeDirs);
        if (uid != null) {
            long fsGid = nonZero(podSecurity.getFsGroup(), gid);
            ContainerLauncher.chown(home, uid, fsGid);
            mounts.stream().filter(m -> !m.readOnly()).forEach(m -> ContainerLauncher.chown(m.source(), uid, fsGid));
        }
        String workingDir = container.getWorkingDir() == null || container.getWorkingDir().isEmpty() ? "/"
                : container.getWorkingDir();
        return new LaunchSpec(argv, processEnv, workingDir, mounts, uid, gid, groups,
                Boolean.FALSE.equals(security.getAllowPrivilegeEscalation()));
    }

    /**
     * The uid a container runs as; null: as the kubelet itself. Never 0: as root, a container without runAsUser (or
     * with 0) runs as {@link #UNPRIVILEGED_UID}; not as root, every container runs as the kubelet's own user (which is
     * not 0), whatever it asks for.
     */
    private Long runAs(Long requested, String container) {
        if (harnessUid != 0) {
            if (requested != null && requested != harnessUid) {
                LOG.fine(() -> "LocalKubelet: not root, runAsUser " + requested + " of " + container + " ignored");
            }
            return null;
        }
        return requested == null || requested == 0 ? UNPRIVILEGED_UID : requested;
    }

    private static long nonZero(Long requested, long fallback) {
        return requested == null || requested == 0 ? fallback : requested;
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }
}
