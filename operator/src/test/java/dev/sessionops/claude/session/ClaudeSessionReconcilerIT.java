package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import dev.sessionops.claude.kube.SideRequests;
import dev.sessionops.claude.message.MessageProblem;
import dev.sessionops.claude.limits.NamespaceLimits;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.testing.FakeHistoryStore;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import dev.sessionops.claude.api.runner.JobNames;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.testing.RecordedRequests;
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
    KubernetesMockServer server;

    private final FakeHistoryStore history = new FakeHistoryStore();
    private DispatchFixture fixture;
    private ClaudeSessionReconciler reconciler;

    @BeforeEach
    void reconciler() {
        fixture = new DispatchFixture(client);
        reconciler = new ClaudeSessionReconciler(history, new EventRecorder(client), fixture.metrics,
                new RunPlanner(client, TestOperatorConfig.with()), fixture.fullMessages, TestOperatorConfig.with(),
                new RunSlots(TestOperatorConfig.with(), client), new SideRequests());
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

        List<String> command = nextCommandAfterAGoodThenAFailedTurn(session);

        assertTrue(command.contains("--resume=claude-1"), command.toString());
        assertTrue(command.contains("--resume-session-at=turn-1"), command.toString());
    }

    /**
     * The turn is claimed on the session before its Job is planned, and the head's prompt ConfigMap is created while
     * the claim is written (two requests, one round trip): the workflow's Job create waits for it, as the pod mounts it.
     */
    @Test
    void theTurnIsClaimedWithItsPromptConfigMapMadeBesideTheClaimBeforeTheJob() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        TestContext<ClaudeSession> context = context(session, message("chat-01"));

        reconciler.reconcile(session, context);

        ClaudeSession stored = storedSession("chat");
        assertEquals("chat-01", stored.getStatus().getActiveMessage());
        assertEquals(SessionPhase.Running, stored.getStatus().getPhase());
        var start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow();
        context.workflow().get(HeadJobDependent.PROMPT, SideRequests.Pending.class).orElseThrow().await();
        var prompt = client.configMaps().inNamespace(NS).withName(start.prompt().getMetadata().getName()).get();
        assertEquals(start.prompt().getData(), prompt.getData());
    }

    /**
     * A turn costs its session one status write: the claim of its message, which also carries the summary of the
     * turn before (its count, cost, Claude session) read from Redis first; no GET of the session before it.
     */
    @Test
    void eachTurnCostsItsSessionOneStatusWrite() throws Exception {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage first = message("chat-01");
        ClaudeMessage second = message("chat-02");
        RecordedRequests.drain(server);

        reconciler.reconcile(session, context(session, first, second));
        assertEquals(List.of("PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudesessions/chat/status"),
                sessionRequests(), "the first turn's claim");
        assertEquals("chat-01", storedSession("chat").getStatus().getActiveMessage());

        // chat-01's run recorded and its message finished, as the caches then show it
        history.record(ConversationKey.of(session), new Completion(first.getMetadata().getUid(), "chat-01", true, "Hello",
                "Hi", "claude-1", null, null, 0.25, 0, 0, 0, 0, "turn-1"));
        first.getStatus().setPhase(MessagePhase.Succeeded);
        ClaudeSession claimed = storedSession("chat");
        RecordedRequests.drain(server);

        reconciler.reconcile(claimed, context(claimed, first, second));
        assertEquals(List.of("PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudesessions/chat/status"),
                sessionRequests(), "the next turn's claim, with the last turn's summary");
        ClaudeSessionStatus status = storedSession("chat").getStatus();
        assertEquals("chat-02", status.getActiveMessage());
        assertEquals(1, status.getMessageCount());
        assertEquals("claude-1", status.getCurrentSessionId());
    }

    private List<String> sessionRequests() throws InterruptedException {
        return RecordedRequests.drain(server).stream().filter(r -> r.contains("/claudesessions")).toList();
    }

    /**
     * Two dispatchers read the same session: one (a deposed leader, or a cache that had not seen chat-00 yet) would
     * start chat-01, the other chat-00, which was created later with an earlier timestamp and so is the head now. Job
     * creates are slow here (the workflow has not run). The first claim wins; the other dispatcher's claim is stale
     * and it plans nothing, so never two Jobs in one session. Once it sees the claim, it holds while chat-01 runs.
     */
    @Test
    void twoDispatchersRacingForOneSessionNeverBothStartAJob() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage later = fixture.message(NS, "chat-01", "chat", spec -> {
        });
        ClaudeMessage earlier = client.resource(fixture.message(NS, "chat-00", "chat", spec -> {
        })).get();
        earlier.getMetadata().setCreationTimestamp("2000-01-01T00:00:00Z"); // before chat-01: the head for whoever sees it
        ClaudeSession seenByA = client.getKubernetesSerialization().clone(session);
        ClaudeSession seenByB = client.getKubernetesSerialization().clone(session);
        TestContext<ClaudeSession> a = context(seenByA, later);
        TestContext<ClaudeSession> b = context(seenByB, earlier, later);
        ClaudeSessionReconciler other = new ClaudeSessionReconciler(history, new EventRecorder(client), fixture.metrics,
                new RunPlanner(client, TestOperatorConfig.with()), fixture.fullMessages, TestOperatorConfig.with(),
                new RunSlots(TestOperatorConfig.with(), client), new SideRequests());

        reconciler.reconcile(seenByA, a);
        UpdateControl<ClaudeSession> lost = other.reconcile(seenByB, b);

        assertEquals("chat-01", a.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow()
                .head().getMetadata().getName());
        assertTrue(b.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty(),
                "the stale claim plans no Job");
        assertTrue(lost.getScheduleDelay().isPresent(), "and looks again soon");
        assertEquals("chat-01", storedSession("chat").getStatus().getActiveMessage());

        // B's next look, with the claimed session (chat-01's Job still not in its cache): it holds
        ClaudeSession fresh = storedSession("chat");
        TestContext<ClaudeSession> again = context(fresh, earlier, later);
        other.reconcile(fresh, again);
        assertTrue(again.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty(),
                "chat-01 holds the turn until it ends");
    }

    /**
     * A claim with the state volume's name that the session does not control (planted by a namespace peer, with hooks
     * on it for the CLI to run, or an earlier session's): never mounted, no Job, a condition and an Event saying what
     * to do; once it is gone (or the session's own), the queue moves.
     */
    @Test
    void aStateClaimThisSessionDoesNotControlIsNeverUsed() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        String claimName = JobNames.stateClaim("chat");
        client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(claimName).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec()
                .build()).create();
        ClaudeMessage head = message("chat-01");
        TestContext<ClaudeSession> context = context(session, head);

        reconciler.reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty(), "no Job");
        assertFalse(context.workflow().reconciled(), "the workflow (which would create the claim) does not run");
        ClaudeSession stored = storedSession("chat");
        var ready = stored.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        assertEquals("False", ready.getStatus());
        assertEquals("StateVolumeConflict", ready.getReason());
        assertTrue(ready.getMessage().contains(claimName), ready.getMessage());
        assertNull(stored.getStatus().getActiveMessage(), "the turn is not claimed");
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(NS).list().getItems()
                .stream().anyMatch(e -> "StateVolumeConflict".equals(e.getReason())));

        // an earlier incarnation's claim (another uid) is not this session's either
        client.persistentVolumeClaims().inNamespace(NS).withName(claimName).edit(c -> {
            c.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion(session.getApiVersion()).withKind("ClaudeSession").withName("chat").withUid("an-older-uid")
                    .withController(true).build()));
            return c;
        });
        ClaudeSession again = storedSession("chat");
        TestContext<ClaudeSession> second = context(again, stored("chat-01"));
        reconciler.reconcile(again, second);
        assertTrue(second.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty());

        // the session's own claim (as the operator makes it), cached: the head starts
        client.persistentVolumeClaims().inNamespace(NS).withName(claimName).delete();
        ClaudeSession third = storedSession("chat");
        TestContext<ClaudeSession> ours = context(third, stored("chat-01")).with(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
                StateVolumes.build(third, TestOperatorConfig.with().defaults()));
        reconciler.reconcile(third, ours);
        assertTrue(ours.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isPresent());
        assertEquals("Ready", storedSession("chat").getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getReason());
    }

    /** A session in kube-system (every namespace watched, that one not listed): nothing of it is made, it says why. */
    @Test
    void nothingRunsInKubernetesOwnNamespaces() {
        fixture.secret("kube-system");
        ClaudeSession session = fixture.session("kube-system", "chat");
        ClaudeMessage head = fixture.message("kube-system", "chat-01", "chat", spec -> {
        });
        TestContext<ClaudeSession> context = new TestContext<>(session, client).with(ClaudeMessage.class, head);

        reconciler.reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty(), "no Job");
        assertFalse(context.workflow().reconciled(), "no state volume either");
        var ready = client.resources(ClaudeSession.class).inNamespace("kube-system").withName("chat").get().getStatus()
                .getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        assertEquals("NamespaceRefused", ready.getReason());
        assertTrue(ready.getMessage().contains("watchNamespaces"), ready.getMessage());
        MessageProblem refused = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> new RunPlanner(client, TestOperatorConfig.with()).plan(head, session));
        assertEquals("NamespaceRefused", refused.reason());
        assertFalse(refused.isWaiting(), "the message fails at once");
    }

    /** A session cannot point its runs' credentials elsewhere: the planner refuses the env, unless the policy lists it. */
    @Test
    void anEnvThatRedirectsTheCredentialsIsRefusedUnlessThePolicyAllowsIt() throws Exception {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVar("ANTHROPIC_BASE_URL", "https://evil.example", null)));
            return s;
        });
        ClaudeMessage head = message("chat-01");
        MessageProblem refused = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> new RunPlanner(client, TestOperatorConfig.with()).plan(head, session));
        assertEquals("EnvNotAllowed", refused.reason());
        assertFalse(refused.isWaiting());
        var planned = new RunPlanner(client, TestOperatorConfig.with("cso.policy.allowed-env", "ANTHROPIC_BASE_URL"))
                .plan(head, session);
        assertTrue(planned.job().env().stream().anyMatch(e -> e.getName().equals("ANTHROPIC_BASE_URL")));
        List<String> argv = planned.job().command();
        assertTrue(argv.contains("--setting-sources=") && argv.contains("--strict-mcp-config"),
                "no settings or MCP servers but the platform's and the session's: " + argv);
    }

    /**
     * The operator's policy, after merging session and message: a service account it does not list, a message raising
     * its session's budget, an image outside the prefixes — PolicyViolation, the message fails and says why.
     */
    @Test
    void runsOutsideThePolicyOrTheirSessionsLimitsAreRefused() throws Exception {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setServiceAccountName("cloud-admin");
            s.getSpec().setMaxBudgetUsd(1.0);
            return s;
        });
        ClaudeMessage greedy = fixture.message(NS, "chat-01", "chat", spec -> spec.setMaxBudgetUsd(10.0));
        MessageProblem refused = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> new RunPlanner(client, TestOperatorConfig.with()).plan(greedy, session));
        assertEquals("PolicyViolation", refused.reason());
        assertFalse(refused.isWaiting());
        assertTrue(refused.getMessage().contains("serviceAccountName cloud-admin is not one the policy allows"), refused.getMessage());
        assertTrue(refused.getMessage().contains("maxBudgetUsd 10.0 is above its session's 1.0"), refused.getMessage());

        RunPlanner allowing = new RunPlanner(client, TestOperatorConfig.with("cso.policy.allowed-service-accounts", "cloud-admin",
                "cso.policy.allowed-images", "registry.example.com/"));
        MessageProblem image = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> allowing.plan(message("chat-02"), session));
        assertTrue(image.getMessage().startsWith("image ghcr.io/sessionops/claude-runner"), image.getMessage());
        var planned = new RunPlanner(client, TestOperatorConfig.with("cso.policy.allowed-service-accounts", "cloud-admin",
                "cso.policy.max-turns", "20")).plan(message("chat-03"), session);
        assertEquals("cloud-admin", planned.job().serviceAccountName());
        assertTrue(planned.job().command().contains("--max-turns=20"), "the ceiling as the run's own: " + planned.job().command());
    }

    /**
     * A namespace's own limits (annotations a tenant cannot write) lower the operator's ceilings for its runs; a
     * malformed one refuses every run there, naming it.
     */
    @Test
    void aNamespacesAnnotatedLimitsTightenThePolicy() throws Exception {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("limited").addToAnnotations(NamespaceLimits.MAX_BUDGET_USD, "1.5").endMetadata().build()).create();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("misconfigured").addToAnnotations(NamespaceLimits.MAX_TURNS, "many").endMetadata().build()).create();
        RunPlanner planner = new RunPlanner(client, TestOperatorConfig.with("cso.policy.max-budget-usd", "5"));

        ClaudeSession limited = fixture.session("limited", "chat");
        var planned = planner.plan(fixture.message("limited", "chat-01", "chat", spec -> { }), limited);
        assertTrue(planned.job().command().contains("--max-budget-usd=1.5"), "the namespace's ceiling: " + planned.job().command());
        MessageProblem above = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> planner.plan(fixture.message("limited", "chat-02", "chat", spec -> spec.setMaxBudgetUsd(2.0)), limited));
        assertTrue(above.getMessage().contains("maxBudgetUsd 2.0 is above the policy's 1.5"), above.getMessage());

        ClaudeSession elsewhere = fixture.session(NS, "chat");
        assertTrue(planner.plan(fixture.message(NS, "chat-01", "chat", spec -> spec.setMaxBudgetUsd(4.0)), elsewhere)
                .job().command().contains("--max-budget-usd=4"), "other namespaces keep the operator's ceiling");

        ClaudeSession broken = fixture.session("misconfigured", "chat");
        MessageProblem closed = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> planner.plan(fixture.message("misconfigured", "chat-01", "chat", spec -> { }), broken));
        assertEquals("PolicyViolation", closed.reason());
        assertTrue(closed.getMessage().contains(NamespaceLimits.MAX_TURNS + "=many"), closed.getMessage());
    }

    /** After ConversationStateLost: spec.resetConversation makes the next message start a new Claude session. */
    @Test
    void aResetConversationStartsTheNextMessageInANewClaudeSession() {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setResetConversation("2026-11-28T10:00:00Z");
            return s;
        });
        history.record(ConversationKey.of(session), new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null,
                null, 0, 0, 0, 0, 0, "turn-1"));
        TestContext<ClaudeSession> context = context(session, message("chat-02"));

        reconciler.reconcile(session, context);

        var start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow();
        List<String> command = start.job().getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
        assertTrue(command.stream().noneMatch(a -> a.startsWith("--resume")), command.toString());
        ClaudeSession stored = storedSession("chat");
        assertEquals("2026-11-28T10:00:00Z", stored.getStatus().getConversationReset());
        assertEquals(List.of("claude-1"), stored.getStatus().getSessionChain(), "the old Claude session stays in the chain");
        assertEquals(2, history.length(ConversationKey.of(session)), "and the history");
    }

    @Test
    void aResetWaitsForTheRunUnderWay() {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setResetConversation("r1");
            return s;
        });
        history.record(ConversationKey.of(session), new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null,
                null, 0, 0, 0, 0, 0, "turn-1"));
        ClaudeMessage running = message("chat-02");
        running.setStatus(new dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus());
        running.getStatus().setPhase(dev.sessionops.claude.api.v1alpha1.MessagePhase.Running);
        TestContext<ClaudeSession> context = context(session, running, message("chat-03"));

        UpdateControl<ClaudeSession> control = reconciler.reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty());
        assertEquals(null, storedSession("chat").getStatus().getConversationReset());
        assertEquals("claude-1", history.nextTurn(ConversationKey.of(session), "chat-03").resume().sessionId());
        assertEquals(Optional.of(ClaudeSessionReconciler.RECHECK.toMillis()), control.getScheduleDelay());
    }

    @Test
    void onFailureKeepResumesAtTheEndSoTheFailedPromptGoesAgain() {
        fixture.secret(NS);
        ClaudeSession session = client.resource(fixture.session(NS, "chat")).edit(s -> {
            s.getSpec().setOnFailure("keep");
            return s;
        });

        List<String> command = nextCommandAfterAGoodThenAFailedTurn(session);

        assertTrue(command.contains("--resume=claude-1"), command.toString());
        assertTrue(command.stream().noneMatch(a -> a.startsWith("--resume-session-at")), command.toString());
    }

    /** A message of an earlier session of the same name (garbage collection has not removed it yet) is not ours. */
    @Test
    void aMessageOfAnEarlierSessionOfTheSameNameIsNeverStarted() {
        fixture.secret(NS);
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage old = client.resource(message("chat-01")).edit(m -> {
            m.getMetadata().getOwnerReferences().add(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion(session.getApiVersion()).withKind(ClaudeSession.KIND).withName("chat")
                    .withUid("uid-of-the-deleted-chat").build());
            return m;
        });
        TestContext<ClaudeSession> context = context(session, old);

        reconciler.reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty());
        assertEquals(null, storedSession("chat").getStatus().getActiveMessage());
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
        assertTrue(control.isNoUpdate(), "the reconciler wrote the status itself, conditionally");
        assertEquals(SessionPhase.Suspended, storedSession("chat").getStatus().getPhase());
        assertEquals(head.getMetadata().getResourceVersion(), stored("chat-01").getMetadata().getResourceVersion(),
                "the head is not touched");
    }

    @Test
    void theStatusMirrorsTheConversationAndIsWrittenOnlyWhenItChanges() {
        ClaudeSession session = fixture.session(NS, "chat");
        history.record(ConversationKey.of(session), new Completion("uid-1", "chat-01", true, "Hello", "Hi",
                "claude-1", "2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z", 0.25, 100, 20, 3, 4, "turn-1"));

        String read = session.getMetadata().getResourceVersion();
        UpdateControl<ClaudeSession> first = reconciler.reconcile(session, context(session));

        ClaudeSession stored = storedSession("chat");
        assertTrue(first.isNoUpdate(), "written by the reconciler, conditionally");
        assertTrue(!read.equals(stored.getMetadata().getResourceVersion()), "written");
        ClaudeSessionStatus status = stored.getStatus();
        assertEquals(1, status.getMessageCount());
        assertEquals("claude-1", status.getCurrentSessionId());
        assertEquals(0.25, status.getTotalCostUsd());
        assertEquals(SessionPhase.Idle, status.getPhase());
        Condition ready = ready(status);
        assertEquals(Conditions.TRUE, ready.getStatus());
        assertTrue(first.getScheduleDelay().isEmpty());

        // what the next event brings: the written status, as the API server (and so the informer) returns it
        UpdateControl<ClaudeSession> second = reconciler.reconcile(stored, context(stored));

        assertTrue(second.isNoUpdate());
        assertEquals(stored.getMetadata().getResourceVersion(), storedSession("chat").getMetadata().getResourceVersion(),
                "an equal status is not written again");
        assertTrue(second.getScheduleDelay().isEmpty());
    }

    @Test
    void withRedisDownTheSessionIsNotReadyAndLooksAgain() {
        ClaudeSession session = fixture.session(NS, "chat");
        history.down(true);

        UpdateControl<ClaudeSession> control = reconciler.reconcile(session, context(session));

        Condition ready = ready(storedSession("chat").getStatus());
        assertEquals(Conditions.FALSE, ready.getStatus());
        assertEquals("HistoryStoreUnavailable", ready.getReason());
        assertEquals(Optional.of(ClaudeSessionReconciler.RECHECK.toMillis()), control.getScheduleDelay());
    }

    @Test
    void cleanupDeletesTheConversation() {
        ClaudeSession session = fixture.session(NS, "chat");
        ConversationKey key = ConversationKey.of(session);
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0, null));

        DeleteControl control = reconciler.cleanup(session, context(session));

        assertTrue(control.isRemoveFinalizer());
        assertFalse(history.exists(key));
    }

    @Test
    void withRedisDownCleanupKeepsTheFinalizerAndLooksAgain() {
        ClaudeSession session = fixture.session(NS, "chat");
        ConversationKey key = ConversationKey.of(session);
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0, null));
        history.down(true);

        DeleteControl control = reconciler.cleanup(session, context(session));

        assertFalse(control.isRemoveFinalizer(), "the keys must not outlive the session unnoticed");
        assertEquals(Optional.of(ClaudeSessionReconciler.RECHECK.toMillis()), control.getScheduleDelay());
        assertTrue(history.down(false).exists(key));
    }

    /** A succeeded turn, then a failed one (recorded for its cost): the command of the Job planned for chat-03. */
    private List<String> nextCommandAfterAGoodThenAFailedTurn(ClaudeSession session) {
        ConversationKey key = ConversationKey.of(session);
        history.record(key, new Completion("uid-1", "chat-01", true, "Hello", "Hi", "claude-1", null, null, 0, 0, 0, 0, 0,
                "turn-1"));
        history.record(key, new Completion("uid-2", "chat-02", false, "Refused", null, "claude-1", null, null, 0, 0, 0, 0, 0,
                null));
        TestContext<ClaudeSession> context = context(session, message("chat-03"));
        reconciler.reconcile(session, context);
        var start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).orElseThrow();
        return start.job().getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
    }

    /** The session's informer view: these messages (without their prompts, as its cache holds them), no Jobs. */
    private TestContext<ClaudeSession> context(ClaudeSession session, ClaudeMessage... messages) {
        return new TestContext<>(session, client).with(ClaudeMessage.class,
                java.util.Arrays.stream(messages).map(fixture::cached).toArray(ClaudeMessage[]::new));
    }

    private ClaudeMessage message(String name) {
        return fixture.message(NS, name, "chat", spec -> {
        });
    }

    private ClaudeMessage stored(String name) {
        return client.resources(ClaudeMessage.class).inNamespace(NS).withName(name).get();
    }

    private ClaudeSession storedSession(String name) {
        return client.resources(ClaudeSession.class).inNamespace(NS).withName(name).get();
    }

    private static Condition ready(ClaudeSessionStatus status) {
        return Conditions.find(status.getConditions(), ClaudeSessionReconciler.READY).orElseThrow();
    }
}
