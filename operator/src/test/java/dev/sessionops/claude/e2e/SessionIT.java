package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.awaitReason;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;


import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.api.runner.JobNames;
import io.quarkus.test.junit.QuarkusTest;

/** The session's own life: its state volume, suspend, idle expiry, and deletion taking its Redis history along. */
@QuarkusTest
class SessionIT extends EndToEndTest {

    @Test
    void deletingASessionRemovesItsHistory() {
        String ns = Harness.namespace(client, "gone");
        Harness.session(client, ns, "brief", s -> {
        });
        message(client, ns, "brief-01", "brief", "Remember this");
        awaitPhase(client, ns, "brief-01", MessagePhase.Succeeded);
        ConversationKey key = Harness.conversation(client, ns, "brief");
        assertEquals(2L, redis.execute("EXISTS", key.history(), key.index()).toLong());

        var pvc = client.persistentVolumeClaims().inNamespace(ns).withName(JobNames.stateClaim("brief")).get();
        assertNotNull(pvc, "state volume");
        assertEquals("brief", pvc.getMetadata().getLabels().get(Labels.SESSION));
        assertEquals("ClaudeSession", pvc.getMetadata().getOwnerReferences().get(0).getKind());
        ClaudeSession session = Harness.getSession(client, ns, "brief");
        assertTrue(session.getMetadata().getFinalizers().stream().anyMatch(f -> f.contains("claudesessions")));

        client.resource(session).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.getSession(client, ns, "brief") == null);
        assertEquals(0L, redis.execute("EXISTS", key.history(), key.meta(), key.chain(), key.applied(), key.index(), key.outcomes()).toLong());
    }

    @Test
    void suspendedSessionHoldsItsMessagesUntilResumed() {
        String ns = Harness.namespace(client, "paused");
        Harness.session(client, ns, "paused", s -> s.setSuspend(true));
        message(client, ns, "paused-01", "paused", "Wait for it");
        var held = awaitReason(client, ns, "paused-01", "SessionSuspended");
        assertEquals(MessagePhase.Queued, held.getStatus().getPhase());
        assertTrue(Harness.jobs(client, ns).isEmpty());
        await().atMost(Duration.ofSeconds(20)).until(() -> Harness.getSession(client, ns, "paused").getStatus() != null
                && Harness.getSession(client, ns, "paused").getStatus().getPhase() == SessionPhase.Suspended);

        Harness.suspend(client, ns, "paused", false);
        awaitPhase(client, ns, "paused-01", MessagePhase.Succeeded);
    }

    @Test
    void idleSessionWithTtlIsDeleted() {
        String ns = Harness.namespace(client, "ttl");
        Harness.session(client, ns, "short-lived", s -> s.setTtlSecondsAfterIdle(1L));
        await().atMost(Duration.ofSeconds(30)).until(() -> Harness.getSession(client, ns, "short-lived") == null);
        assertNull(Harness.getSession(client, ns, "short-lived"));
        assertTrue(Harness.events(client, ns, "short-lived").stream().anyMatch(e -> "IdleExpired".equals(e.getReason())));
    }
}
