package dev.sessionops.claude.local;

import java.nio.file.Path;
import java.util.List;

/**
 * What a test sees of a kubelet, whichever API server it serves: the container processes it ran and the host
 * directories behind volume claims. {@link LocalKubelet} plays the Job controller too (the mock server has none);
 * {@link RealKubelet} leaves that to the real one.
 */
public interface Kubelet extends AutoCloseable {

    /** Every container process started so far, in start order (init containers included). */
    List<ContainerRun> runs();

    /** The runs of the containers of one Job's pods. */
    default List<ContainerRun> runs(String namespace, String jobName) {
        return runs().stream().filter(r -> r.namespace().equals(namespace) && jobName.equals(r.jobName())).toList();
    }

    /** The host directory behind a PersistentVolumeClaim (created if needed, e.g. to seed files). */
    Path volumeDir(String namespace, String claimName);

    /** The main-container runs in one namespace, in start order. */
    default List<ContainerRun> mainRuns(String namespace) {
        return runs().stream().filter(r -> r.namespace().equals(namespace) && !r.isInitContainer())
                .sorted(java.util.Comparator.comparing(ContainerRun::startedAt)).toList();
    }

    @Override
    void close();
}
