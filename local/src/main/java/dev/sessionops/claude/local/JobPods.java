package dev.sessionops.claude.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Pod the Job controller makes from a Job's template. */
final class JobPods {
    static final String CONTROLLER_UID = "controller-uid";
    static final String BATCH_CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    static final String JOB_NAME = "job-name";
    static final String BATCH_JOB_NAME = "batch.kubernetes.io/job-name";

    /** The API server's generateName alphabet (no vowels, no look-alike digits). */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private JobPods() {
    }

    static Pod newPod(Job job, String nodeName) {
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        String jobName = job.getMetadata().getName();
        String uid = job.getMetadata().getUid();
        labels.put(CONTROLLER_UID, uid);
        labels.put(BATCH_CONTROLLER_UID, uid);
        labels.put(JOB_NAME, jobName);
        labels.put(BATCH_JOB_NAME, jobName);
        PodSpec spec = SERIALIZATION.clone(template.getSpec());
        spec.setNodeName(nodeName);
        return new PodBuilder()
                .withNewMetadata()
                .withName(generateName(jobName))
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(jobName).withUid(uid)
                .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
                .endMetadata()
                .withSpec(spec)
                .withNewStatus().withPhase("Pending").endStatus()
                .build();
    }

    /** {@code <job>-<5 chars>}, the base cut to 58 characters like the API server's name generator. */
    static String generateName(String jobName) {
        String base = jobName + "-";
        StringBuilder name = new StringBuilder(base.length() > 58 ? base.substring(0, 58) : base);
        for (int i = 0; i < 5; i++) {
            name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return name.toString();
    }
}
