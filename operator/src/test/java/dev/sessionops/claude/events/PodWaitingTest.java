package dev.sessionops.claude.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class PodWaitingTest {

    private static ContainerStatus waiting(String name, String reason, String message) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewWaiting().withReason(reason)
                .withMessage(message).endWaiting().endState().build();
    }

    @Test
    void aContainerWaitingForItsConfigurationIsFoundInitContainersFirst() {
        Pod pod = new PodBuilder().withNewStatus()
                .withInitContainerStatuses(waiting("git", "CreateContainerConfigError", "secret \"git\" not found"))
                .withContainerStatuses(waiting("claude", "CreateContainerConfigError", "secret \"anthropic\" not found"))
                .endStatus().build();
        assertEquals(Optional.of(new PodWaiting("git", "secret \"git\" not found")), PodWaiting.of(pod));
    }

    @Test
    void otherWaitingReasonsAndStartedPodsAreNot() {
        assertEquals(Optional.empty(), PodWaiting.of(new PodBuilder().build()));
        assertEquals(Optional.empty(), PodWaiting.of(new PodBuilder().withNewStatus()
                .withContainerStatuses(waiting("claude", "ContainerCreating", null)).endStatus().build()));
        assertEquals(Optional.empty(), PodWaiting.of(new PodBuilder().withNewStatus()
                .withContainerStatuses(new ContainerStatusBuilder().withName("claude").withNewState().withNewRunning()
                        .endRunning().endState().build()).endStatus().build()));
    }

    @Test
    void theKubeletsWordsNameTheSecretBothWays() {
        assertTrue(new PodWaiting("claude", "secret \"anthropic\" not found").isAboutSecret("team-a", "anthropic"));
        assertTrue(new PodWaiting("claude", "couldn't find key ANTHROPIC_API_KEY in Secret team-a/anthropic")
                .isAboutSecret("team-a", "anthropic"));
        assertFalse(new PodWaiting("claude", "secret \"anthropic-2\" not found").isAboutSecret("team-a", "anthropic"));
        assertFalse(new PodWaiting("claude", "couldn't find key X in Secret team-b/anthropic").isAboutSecret("team-a", "anthropic"));
        assertFalse(new PodWaiting("claude", "couldn't find key X in Secret team-a/anthropic-2").isAboutSecret("team-a", "anthropic"));
    }
}
