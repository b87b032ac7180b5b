package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionStatus;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.testing.FakeHistoryStore;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * {@link ClaudeSessionReconciler} called directly, outside Quarkus and the SDK: the history in memory
 * ({@link FakeHistoryStore}), the session's messages and Jobs as the test hands them in ({@link TestContext}), the
 * workflow recorded instead of run (creating the head's Job is {@link HeadJobDependent}'s, planning it is asserted
 * here), API writes on a Fabric8 mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class ClaudeSessionReconcilerIT {
    private static final String NS = "ns";

    KubernetesClient client;

    private final FakeHistoryStore history = new FakeHistoryStore();
    private DispatchFixture fixture;
    private ClaudeSessionReconciler reconciler;

    @BeforeEach
    void reconciler() {
        fixture = new DispatchFixture(client);
        reconciler = new ClaudeSessionReconciler(history, new EventRecorder(client), fixture.metrics,
                new RunPlanner(client, TestOperatorConfig.with()), TestOperatorConfig.with());
    }

    @Test
    void theWaitingHeadIsPlannedBeforeTheWorkflowRuns() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage head = message("chat-01");
        ClaudeMessage next = message("chat-02");
        TestContext<ClaudeSession> context = context(session, next, head); // a cache has no order: the queue has

        reconciler.reconcile(session, context);

        var start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow();
        assertEquals("chat-01", start.head().getMetadata().getName());
        assertEquals(head.getMetadata().getUid(), start.job().getMetadata().getOwnerReferences().get(0).getUid());
        assertTrue(context.workflow().keysWhenReconciled().contains(HeadJobDependent.PLANNED),
                "the head-job precondition reads the plan while the workflow runs");
        assertEquals(List.of(), client.batch().v1().jobs().inNamespace(NS).list().getItems(), "the workflow creates it");
    }

    @Test
    void theNextTurnResumesAtTheLastGoodTurnSoAFailedPromptIsNotSentAgain() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        ConversationKey key = ConversationKey.session(NS, "chat");
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0,
                "turn-1"));
        // a failed turn after it: recorded (its cost), but not where the conversation continues
        history.record(key, new Completion("uid-2", "chat-02", false, "Refused", null, "claude-1", null, null, 0, 0, 0, 0, 0,
                null));
        TestContext<ClaudeSession> context = context(session, message("chat-03"));

        reconciler.reconcile(session, context);

        var start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow();
        List<String> command = start.job().getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
        assertTrue(command.contains("--resume=claude-1"), command.toString());
        assertTrue(command.contains("--resume-session-at=turn-1"), command.toString());
    }

    @Test
    void aSuspendedSessionPlansNothing() {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setSuspend(true);
            return s;
        });
        ClaudeMessage head = message("chat-01");
        TestContext<ClaudeSession> context = context(session, head);

        UpdateControl<ClaudeSession> control = reconciler.reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty(),
                "no Job planned");
        assertTrue(context.workflow().reconciled(), "the state volume is kept while suspended");
        assertEquals(SessionPhase.Suspended, control.getResource().orElseThrow().getStatus().getPhase());
        assertEquals(head.getMetadata().getResourceVersion(), stored("chat-01").getMetadata().getResourceVersion(),
                "the head is not touched");
    }

    @Test
    void theStatusMirrorsTheConversationAndIsWrittenOnlyWhenItChanges() {
        ClaudeSession session = fixture.session(NS, "chat");
        history.record(ConversationKey.session(NS, "chat"), new Completion("uid-1", "chat-01", true, "Hello", "Hi",
                "claude-1", "2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z", 0.25, 100, 20, 3, 4, "turn-1"));

        UpdateControl<ClaudeSession> first = reconciler.reconcile(session, context(session));

        assertTrue(first.isPatchStatus());
        ClaudeSessionStatus status = first.getResource().orElseThrow().getStatus();
        assertEquals(1, status.getMessageCount());
        assertEquals("claude-1", status.getCurrentSessionId());
        assertEquals(0.25, status.getTotalCostUsd());
        assertEquals(SessionPhase.Idle, status.getPhase());
        Condition ready = ready(status);
        assertEquals(Conditions.TRUE, ready.getStatus());
        assertTrue(first.getScheduleDelay().isEmpty());

        // what the next event brings: the written status, as the API server (and so the informer) returns it
        ClaudeSession written = StatusWriter.write(client, session, status);
        UpdateControl<ClaudeSession> second = reconciler.reconcile(written, context(written));

        assertTrue(second.isNoUpdate(), "an equal status is not written again");
        assertTrue(second.getScheduleDelay().isEmpty());
    }

    @Test
    void withRedisDownTheSessionIsNotReadyAndLooksAgain() {
        ClaudeSession session = fixture.session(NS, "chat");
        history.down(true);

        UpdateControl<ClaudeSession> control = reconciler.reconcile(session, context(session));

        assertTrue(control.isPatchStatus());
        Condition ready = ready(control.getResource().orElseThrow().getStatus());
        assertEquals(Conditions.FALSE, ready.getStatus());
        assertEquals("HistoryStoreUnavailable", ready.getReason());
        assertEquals(Optional.of(ClaudeSessionReconciler.RECHECK.toMillis()), control.getScheduleDelay());
    }

    @Test
    void cleanupDeletesTheConversation() {
        ClaudeSession session = fixture.session(NS, "chat");
        ConversationKey key = ConversationKey.session(NS, "chat");
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0, null));

        DeleteControl control = reconciler.cleanup(session, context(session));

        assertTrue(control.isRemoveFinalizer());
        assertFalse(history.exists(key));
    }

    @Test
    void withRedisDownCleanupKeepsTheFinalizerAndLooksAgain() {
        ClaudeSession session = fixture.session(NS, "chat");
        ConversationKey key = ConversationKey.session(NS, "chat");
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0, null));
        history.down(true);

        DeleteControl control = reconciler.cleanup(session, context(session));

        assertFalse(control.isRemoveFinalizer(), "the keys must not outlive the session unnoticed");
        assertEquals(Optional.of(ClaudeSessionReconciler.RECHECK.toMillis()), control.getScheduleDelay());
        assertTrue(history.down(false).exists(key));
    }

    /** The session's informer view: these messages, no Jobs. */
    private TestContext<ClaudeSession> context(ClaudeSession session, ClaudeMessage... messages) {
        return new TestContext<>(session, client).with(ClaudeMessage.class, messages);
    }

    private ClaudeMessage message(String name) {
        return fixture.message(NS, name, "chat", spec -> {
        });
    }

    private ClaudeMessage stored(String name) {
        return client.resources(ClaudeMessage.class).inNamespace(NS).withName(name).get();
    }

    private static Condition ready(ClaudeSessionStatus status) {
        return Conditions.find(status.getConditions(), ClaudeSessionReconciler.READY).orElseThrow();
    }
}
