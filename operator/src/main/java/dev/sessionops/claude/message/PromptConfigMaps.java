package dev.sessionops.claude.message;

import java.util.Optional;

import dev.sessionops.claude.cli.ClaudeCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Creates a run's prompt ConfigMap ({@link PromptConfigMap}) before its Job, and reads a run's prompt back from it. */
public final class PromptConfigMaps {

    private PromptConfigMaps() {
    }

    /**
     * Creates {@code prompt} (before the Job that mounts it). One that exists already is fine if it is this run's
     * (an earlier attempt made it); one that is not is never used ({@link Reasons#PROMPT_CONFLICT}). A quota or
     * webhook refusal is a {@link RunRefused}, as a refused Job would be; anything else is the caller's error.
     */
    public static void create(KubernetesClient client, ConfigMap prompt) {
        String namespace = prompt.getMetadata().getNamespace();
        String name = prompt.getMetadata().getName();
        try {
            client.configMaps().inNamespace(namespace).resource(prompt).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw JobRefusal.of(e, JobRefusal.PROMPT).map(r -> new RunRefused(r, e)).orElseThrow(() -> e);
            }
            ConfigMap existing = client.configMaps().inNamespace(namespace).withName(name).get();
            if (existing == null) {
                throw e; // deleted meanwhile: the next attempt creates it
            }
            if (!PromptConfigMap.sameRun(existing, prompt)) {
                throw new RunRefused(new JobRefusal(false, Reasons.PROMPT_CONFLICT, "ConfigMap " + name
                        + " exists but is not this run's prompt (its content or owner differs): it is never mounted;"
                        + " delete it and create the message again"), e);
            }
        }
    }

    /**
     * The prompt {@code job} ran, from its ConfigMap, if that is still the run's (named by its content, controlled by
     * the message {@code messageUid}); empty if it is gone or not. A Job made before prompts went by file holds it
     * in its command, which cannot change either.
     */
    public static Optional<String> read(KubernetesClient client, Job job, String messageUid) {
        Optional<String> name = JobSpecBuilder.promptConfigMapName(job);
        if (name.isEmpty()) {
            return ClaudeCommand.promptInArgv(JobSpecBuilder.commandAsRun(job));
        }
        ConfigMap configMap = client.configMaps().inNamespace(job.getMetadata().getNamespace()).withName(name.get()).get();
        return PromptConfigMap.verified(configMap, job.getMetadata().getName(), name.get(), messageUid);
    }
}
