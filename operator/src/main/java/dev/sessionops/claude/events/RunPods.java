package dev.sessionops.claude.events;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.kube.Controllers;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The pod of a run's Job, whose log is the run: the newest pod that carries the Job's {@code job-name} label
 * <em>and</em> names the Job, by its UID, as its controller, as the Job controller itself decides which pods are a
 * Job's. The label alone is anyone's to set: a pod another tenant's workload labelled so would otherwise have its log
 * recorded as the run's outcome.
 */
public final class RunPods {
    /**
     * The Job's newest pod; empty when it has none (yet, or any more).
     * <p>
     * Listed with {@code resourceVersion=0}: the API server answers from its watch cache, in memory. Without it every
     * list is read from etcd, and a label selector is applied only after the whole namespace's pods were read and
     * decoded: in the benchmark at 200 × 5 over a namespace holding a few thousand pods the API server spent 1.4 of its
     * 2 cores on the log followers' lists while the operator used a tenth of one. The cache may lag a moment; a
     * follower looks again, and a finished Job's pod was created long before.
     */
    public static Optional<Pod> newest(KubernetesClient client, Job job) {
        return newest(client, job.getMetadata().getNamespace(), job.getMetadata().getName(), job.getMetadata().getUid());
    }

    static Optional<Pod> newest(KubernetesClient client, String namespace, String jobName, String jobUid) {
        List<Pod> pods = client.pods().inNamespace(namespace).withLabel(Labels.JOB_NAME, jobName)
                .list(new ListOptionsBuilder().withResourceVersion("0").build()).getItems();
        return newestOf(pods, jobUid);
    }

    /** Of {@code pods}, the newest whose controller is the Job with UID {@code jobUid}. Pure. */
    static Optional<Pod> newestOf(List<Pod> pods, String jobUid) {
        return pods.stream().filter(p -> controlledBy(p, jobUid))
                .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())));
    }

    /** The pod's controller owner reference is a Job with that UID (a UID the caller has: never null here). */
    static boolean controlledBy(Pod pod, String jobUid) {
        return Controllers.controlledBy(pod, "Job", jobUid);
    }

    private RunPods() {
    }
}
