package dev.sessionops.claude.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.kube.Controllers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/**
 * The ConfigMap that carries a run's rendered prompt to its pod (mounted read-only, the CLI's standard input) and is
 * the record of the prompt that ran: the history takes the prompt from it, never from the pod.
 * <ul>
 * <li>Named {@code <job>-prompt-<hash of the prompt>}: the Job's pod template, which cannot change, names the very
 * content it runs. Another prompt for the same message (edited while its Job was refused by a quota) is another
 * ConfigMap, never an update of one a Job may already mount; a ConfigMap of that name with other content or another
 * owner is not ours and is never used.</li>
 * <li>{@code immutable}: nobody can edit it after the fact (only delete it, which the reader notices).</li>
 * <li>Owned (controller) by the message, not the Job: it is created first, so the pod never waits for it, and the
 * Job's UID does not exist yet; it stays while a run waits to be recorded after its Job is gone, and goes with the
 * message (Kubernetes' garbage collector, {@code cso.messages.ttl-after-finished}).</li>
 * </ul>
 */
public final class PromptConfigMap {
    /** The key holding the prompt, and the file name under {@code PodLayout.PROMPT_DIR}. */
    public static final String KEY = "prompt";
    public static final String COMPONENT = "claude-prompt";
    /** Hex digits of the prompt's SHA-256 in the name: 64 bits, no collision to fear among one message's prompts. */
    private static final int HASH_LENGTH = 16;

    private PromptConfigMap() {
    }

    /** {@code <jobName>-prompt-<16 hex digits of the prompt's SHA-256>}: at most 63 + 24 characters. */
    public static String name(String jobName, String prompt) {
        return jobName + "-prompt-" + sha256(prompt).substring(0, HASH_LENGTH);
    }

    /** The ConfigMap of a planned run: its labels are the Job's but for the component. */
    public static ConfigMap of(JobPlan plan) {
        Map<String, String> labels = new LinkedHashMap<>(JobSpecBuilder.labels(plan));
        labels.put(Labels.COMPONENT, COMPONENT);
        return new ConfigMapBuilder()
                .withNewMetadata()
                    .withName(name(plan.jobName(), plan.prompt()))
                    .withNamespace(plan.namespace())
                    .withLabels(labels)
                    .withOwnerReferences(plan.owner().reference())
                .endMetadata()
                .withImmutable(true)
                .withData(Map.of(KEY, plan.prompt()))
                .build();
    }

    /**
     * The prompt {@code configMap} holds if it is the run's: named {@code expectedName} for {@code jobName} by its own
     * content and controlled by {@code ownerUid}. Empty for anything else (missing, replaced, someone else's).
     */
    public static Optional<String> verified(ConfigMap configMap, String jobName, String expectedName, String ownerUid) {
        if (configMap == null || configMap.getData() == null || !expectedName.equals(configMap.getMetadata().getName())) {
            return Optional.empty();
        }
        String prompt = configMap.getData().get(KEY);
        if (prompt == null || !controlledBy(configMap, ownerUid) || !expectedName.equals(name(jobName, prompt))) {
            return Optional.empty();
        }
        return Optional.of(prompt);
    }

    /** Whether {@code existing} holds the prompt of {@code desired} under the same controller (an earlier attempt's). */
    public static boolean sameRun(ConfigMap existing, ConfigMap desired) {
        String prompt = desired.getData().get(KEY);
        String owner = desired.getMetadata().getOwnerReferences().get(0).getUid();
        return existing.getData() != null && prompt.equals(existing.getData().get(KEY)) && controlledBy(existing, owner);
    }

    private static boolean controlledBy(ConfigMap configMap, String ownerUid) {
        return Controllers.controlledBy(configMap, RunJobs.MESSAGE_KIND, ownerUid);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
