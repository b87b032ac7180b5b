package dev.sessionops.claude.testing;

import java.util.Map;

import dev.sessionops.claude.api.runner.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** A pod as the Job controller makes it for the mock tier: the {@code job-name} label and the Job as its controller. */
public final class JobPod {
    public static Pod of(Job job, String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(job.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.JOB_NAME, job.getMetadata().getName()))
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata().build();
    }

    private JobPod() {
    }
}
