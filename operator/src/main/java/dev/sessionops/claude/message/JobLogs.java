package dev.sessionops.claude.message;

import java.io.IOException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.events.RunPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Reads the CLI's stream-json output of a finished Job from its pod's log. One plain GET of {@code pods/log}
 * ({@link PodLogStream}): Fabric8's {@code getLog()} first waits for the pod with a list and a watch, which the
 * operator's RBAC rightly does not grant (a 403 under load). The log is parsed as it arrives, never held whole
 * ({@link RunLog}): a run may print hundreds of megabytes.
 */
@ApplicationScoped
public class JobLogs {
    private final KubernetesClient client;
    private final PodLogStream logs;

    public JobLogs(KubernetesClient client, PodLogStream logs) {
        this.client = client;
        this.logs = logs;
    }

    /** The claude container's log of the Job's pod ({@link RunPods}), or empty when no pod (or log) is left. */
    public Optional<RunLog> read(Job job) {
        Optional<Pod> pod;
        try {
            pod = RunPods.newest(client, job);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        return pod.isEmpty() ? Optional.empty() : readPod(job, pod.get().getMetadata().getName());
    }

    /** One pod's log; empty when the pod (or its log) is gone. */
    private Optional<RunLog> readPod(Job job, String pod) {
        String namespace = job.getMetadata().getNamespace();
        try {
            RunLog.Reader log = RunLog.reader();
            logs.read(namespace, pod, false, log, () -> false);
            return Optional.of(log.finish());
        } catch (PodLogStream.Refused e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw new KubernetesClientException(e.getMessage(), e.code(), null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new KubernetesClientException("reading the log of " + job.getMetadata().getName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while reading the log of " + job.getMetadata().getName(), e);
        }
    }
}
