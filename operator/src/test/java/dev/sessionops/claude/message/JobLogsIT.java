package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.testing.JobPod;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Reading a finished run's log: the newest pod whose controller is the Job, never a pod that only wears its label. */
@EnableKubernetesMockClient(crud = true)
class JobLogsIT {
    private static final String NS = "ns";
    private static final String RESULT = "{\"type\":\"result\",\"subtype\":\"success\",\"result\":\"from %s\"}\n";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theJobsOwnPodIsReadNotANewerOneWearingItsLabel() throws Exception {
        Job job = client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("run")
                .withUid("uid-of-run").endMetadata().build()).create();
        pod(withCreation(JobPod.of(job, "run-aaaaa"), "2026-11-29T10:00:00Z"));
        // another workload's pods in the namespace: the label alone, or a controller of the same name but another UID
        pod(withCreation(new PodBuilder().withNewMetadata().withName("run-fake1").withNamespace(NS)
                .withLabels(Map.of(Labels.JOB_NAME, "run")).endMetadata().build(), "2026-11-29T10:00:05Z"));
        Job other = new JobBuilder(job).editMetadata().withUid("uid-of-another").endMetadata().build();
        pod(withCreation(JobPod.of(other, "run-fake2"), "2026-11-29T10:00:09Z"));
        JobLogs logs = new JobLogs(client, new PodLogStream(client));
        drain();

        assertEquals("from run-aaaaa", logs.read(job).orElseThrow().outcome().result());
        List<String> requests = drain();
        assertEquals(2, requests.size(), requests.toString());
        assertTrue(requests.get(0).startsWith("GET /api/v1/namespaces/ns/pods?labelSelector="), requests.toString());
        assertEquals("GET /api/v1/namespaces/ns/pods/run-aaaaa/log?container=" + PodLayout.CONTAINER, requests.get(1));

        client.pods().inNamespace(NS).withName("run-aaaaa").delete();
        assertTrue(logs.read(job).isEmpty(), "its pod gone: nothing, not a stranger's log");
    }

    private void pod(Pod pod) {
        client.pods().inNamespace(NS).resource(pod).create();
        String name = pod.getMetadata().getName();
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, String.format(RESULT, name)).always();
    }

    private static Pod withCreation(Pod pod, String at) {
        pod.getMetadata().setCreationTimestamp(at);
        return pod;
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }
}
