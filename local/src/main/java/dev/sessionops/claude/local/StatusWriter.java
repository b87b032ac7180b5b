package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes Pod and Job status through the status subresource (PUT .../status), as controllers do. On the mock server
 * a status PUT replaces only {@code status} and never conflicts; an object that is gone is skipped.
 */
final class StatusWriter {
    private static final Logger LOG = Logger.getLogger(LocalKubelet.class.getName());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final KubernetesClient client;

    StatusWriter(KubernetesClient client) {
        this.client = client;
    }

    synchronized void job(String namespace, String name, String uid, JobStatus status) {
        try {
            Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
            if (job == null || !uid.equals(job.getMetadata().getUid())) {
                return;
            }
            job.setStatus(SERIALIZATION.clone(status));
            client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "LocalKubelet: status of job " + namespace + "/" + name + " not written", e);
        }
    }

    synchronized void pod(String namespace, String name, PodStatus status) {
        try {
            Pod pod = client.pods().inNamespace(namespace).withName(name).get();
            if (pod == null) {
                return;
            }
            pod.setStatus(status);
            client.pods().inNamespace(namespace).resource(pod).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.log(Level.WARNING, "LocalKubelet: status of pod " + namespace + "/" + name + " not written", e);
            }
        }
    }
}
