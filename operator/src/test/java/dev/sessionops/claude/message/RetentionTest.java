package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Optional<Duration> DAY = Optional.of(Duration.ofDays(1));

    @Test
    void countsFromTheEndOfTheRunOrOfTheMessage() {
        ClaudeMessageStatus ran = status(MessagePhase.Succeeded);
        ran.setCompletedAt("2026-11-28T06:00:00Z");
        assertEquals(Optional.of(Duration.ofHours(18)), Retention.untilExpiry(ran, DAY, NOW));
        ran.setCompletedAt("2026-11-20T06:00:00Z");
        assertEquals(Optional.of(Duration.ZERO), Retention.untilExpiry(ran, DAY, NOW), "due");

        ClaudeMessageStatus neverRan = status(MessagePhase.Failed);
        neverRan.setConditions(List.of(new ConditionBuilder().withType("Succeeded").withStatus("False")
                .withLastTransitionTime("2026-11-28T11:00:00Z").build()));
        assertEquals(Optional.of(Duration.ofHours(23)), Retention.untilExpiry(neverRan, DAY, NOW));
    }

    @Test
    void keptWithoutATtlAnEndOrWhileNotFinished() {
        ClaudeMessageStatus ran = status(MessagePhase.Succeeded);
        ran.setCompletedAt("2026-11-20T06:00:00Z");
        assertEquals(Optional.empty(), Retention.untilExpiry(ran, Optional.empty(), NOW));
        assertEquals(Optional.empty(), Retention.untilExpiry(status(MessagePhase.Cancelled), DAY, NOW), "no time to count from");
        ClaudeMessageStatus running = status(MessagePhase.Running);
        running.setCompletedAt("2026-11-20T06:00:00Z");
        assertEquals(Optional.empty(), Retention.untilExpiry(running, DAY, NOW));
        assertEquals(Optional.empty(), Retention.untilExpiry(null, DAY, NOW));
    }

    private static ClaudeMessageStatus status(MessagePhase phase) {
        ClaudeMessageStatus s = new ClaudeMessageStatus();
        s.setPhase(phase);
        return s;
    }
}
