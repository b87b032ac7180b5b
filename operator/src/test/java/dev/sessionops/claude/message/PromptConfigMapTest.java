package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;

/** The prompt's ConfigMap: named by its content, owned by the message, immutable; only such a one is believed. */
class PromptConfigMapTest {
    private static final String JOB = "user-api-01-abcdef0123";
    private static final String PROMPT = "Review {this}\n  with trailing blanks  \n";

    private static JobPlan plan(String prompt) {
        return JobPlan.builder()
                .owner(new JobPlan.Owner("claude.sessionops.dev/v1alpha1", "ClaudeMessage", "user-api-01", "uid-1"))
                .namespace("team-a").messageName("user-api-01").sessionName("user-api").jobName(JOB)
                .image("img").command(List.of("claude", "-p")).prompt(prompt).build();
    }

    @Test
    void theNameIsTheJobsPlusAHashOfThePrompt() {
        String name = PromptConfigMap.name(JOB, PROMPT);
        assertTrue(name.matches(JOB + "-prompt-[0-9a-f]{16}"), name);
        assertEquals(name, PromptConfigMap.name(JOB, PROMPT), "deterministic");
        assertNotEquals(name, PromptConfigMap.name(JOB, PROMPT + " "), "another prompt, another ConfigMap");
        assertTrue(PromptConfigMap.name("x".repeat(63), PROMPT).length() <= 253, "a valid object name");
    }

    @Test
    void itIsTheMessagesImmutableLabelledLikeTheJob() {
        JobPlan plan = plan(PROMPT);
        ConfigMap cm = PromptConfigMap.of(plan);
        assertEquals(PromptConfigMap.name(JOB, PROMPT), cm.getMetadata().getName());
        assertEquals("team-a", cm.getMetadata().getNamespace());
        assertEquals(Map.of(PromptConfigMap.KEY, PROMPT), cm.getData());
        assertEquals(true, cm.getImmutable());
        Map<String, String> jobLabels = JobSpecBuilder.labels(plan);
        Map<String, String> labels = cm.getMetadata().getLabels();
        assertEquals(PromptConfigMap.COMPONENT, labels.get(Labels.COMPONENT));
        jobLabels.forEach((k, v) -> {
            if (!k.equals(Labels.COMPONENT)) {
                assertEquals(v, labels.get(k), k);
            }
        });
        OwnerReference owner = cm.getMetadata().getOwnerReferences().get(0);
        assertEquals(List.of("ClaudeMessage", "user-api-01", "uid-1", "true"),
                List.of(owner.getKind(), owner.getName(), owner.getUid(), String.valueOf(owner.getController())));
    }

    @Test
    void onlyTheRunsOwnConfigMapIsBelieved() {
        ConfigMap ours = PromptConfigMap.of(plan(PROMPT));
        String name = ours.getMetadata().getName();
        assertEquals(Optional.of(PROMPT), PromptConfigMap.verified(ours, JOB, name, "uid-1"));

        assertEquals(Optional.empty(), PromptConfigMap.verified(null, JOB, name, "uid-1"), "gone");
        assertEquals(Optional.empty(), PromptConfigMap.verified(ours, JOB, name, "uid-2"), "another message's");
        ConfigMap replaced = new ConfigMapBuilder(ours).withData(Map.of(PromptConfigMap.KEY, "Something else")).build();
        assertEquals(Optional.empty(), PromptConfigMap.verified(replaced, JOB, name, "uid-1"), "other content");
        ConfigMap notControlled = new ConfigMapBuilder(ours).editMetadata().editFirstOwnerReference().withController(false)
                .endOwnerReference().endMetadata().build();
        assertEquals(Optional.empty(), PromptConfigMap.verified(notControlled, JOB, name, "uid-1"), "merely owned");
        ConfigMap noKey = new ConfigMapBuilder(ours).withData(Map.of("other", PROMPT)).build();
        assertEquals(Optional.empty(), PromptConfigMap.verified(noKey, JOB, name, "uid-1"));
        assertEquals(Optional.empty(), PromptConfigMap.verified(ours, JOB, name + "0", "uid-1"), "not the name asked for");
    }

    @Test
    void anEarlierAttemptsConfigMapIsTheSameRunAForeignOneIsNot() {
        ConfigMap ours = PromptConfigMap.of(plan(PROMPT));
        assertTrue(PromptConfigMap.sameRun(new ConfigMapBuilder(ours).build(), ours));
        assertFalse(PromptConfigMap.sameRun(new ConfigMapBuilder(ours).withData(Map.of(PromptConfigMap.KEY, "planted")).build(),
                ours));
        assertFalse(PromptConfigMap.sameRun(new ConfigMapBuilder(ours).editMetadata().withOwnerReferences(List.of())
                .endMetadata().build(), ours));
        assertFalse(PromptConfigMap.sameRun(new ConfigMapBuilder(ours).withData(null).build(), ours));
    }
}
