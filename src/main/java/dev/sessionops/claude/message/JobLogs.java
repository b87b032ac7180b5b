package dev.sessionops.claude.message;

import java.util.Comparator;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Reads the CLI's stream-json output of a finished Job from its pod's log. */
@ApplicationScoped
public class JobLogs {
    private final KubernetesClient client;

    public JobLogs(KubernetesClient client) {
        this.client = client;
    }

    /** The claude container's log of the Job's newest pod, or empty when no pod (or log) is left. */
    public Optional<String> read(Job job) {
        String namespace = job.getMetadata().getNamespace();
        try {
            Optional<Pod> pod = client.pods().inNamespace(namespace)
                    .withLabel(Labels.JOB_NAME, job.getMetadata().getName())
                    .list().getItems().stream()
                    .max(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())));
            if (pod.isEmpty()) {
                return Optional.empty();
            }
            return Optional.ofNullable(client.pods().inNamespace(namespace).withName(pod.get().getMetadata().getName())
                    .inContainer(PodLayout.CONTAINER).getLog());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
