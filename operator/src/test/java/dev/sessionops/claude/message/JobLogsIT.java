package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Reading a finished run's log: from the pod the live events name without listing pods, else the Job's newest pod. */
@EnableKubernetesMockClient(crud = true)
class JobLogsIT {
    private static final String NS = "ns";
    private static final String RESULT = "{\"type\":\"result\",\"subtype\":\"success\",\"result\":\"from %s\"}\n";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void aKnownPodIsReadWithoutAListAndAGoneOneFallsBackToTheNewest() throws Exception {
        Job job = client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("run")
                .endMetadata().build()).create();
        log("run-aaaaa"); // the pod the live events read the result from (the list does not show it)
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("run-bbbbb")
                .withLabels(Map.of(Labels.JOB_NAME, "run")).endMetadata().build()).create();
        log("run-bbbbb");
        JobLogs logs = new JobLogs(client, new PodLogStream(client));
        drain();

        RunLog known = logs.read(job, Optional.of("run-aaaaa")).orElseThrow();
        assertEquals("from run-aaaaa", known.outcome().result());
        assertEquals(List.of("GET /api/v1/namespaces/ns/pods/run-aaaaa/log?container=" + PodLayout.CONTAINER), drain());

        RunLog unknown = logs.read(job, Optional.empty()).orElseThrow();
        assertEquals("from run-bbbbb", unknown.outcome().result(), "the Job's pod");
        assertTrue(drain().get(0).startsWith("GET /api/v1/namespaces/ns/pods?labelSelector="));

        // as the API server answers for a pod deleted since (the crud mock would answer its own way)
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/run-gone0/log?container=" + PodLayout.CONTAINER)
                .andReturn(404, "{\"kind\":\"Status\",\"code\":404}").always();
        RunLog gone = logs.read(job, Optional.of("run-gone0")).orElseThrow();
        assertEquals("from run-bbbbb", gone.outcome().result(), "the known pod gone: the Job's pod there is");
    }

    private void log(String name) {
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, String.format(RESULT, name)).always();
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }
}
