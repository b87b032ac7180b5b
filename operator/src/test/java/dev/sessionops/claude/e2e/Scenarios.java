package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.conditionMessage;
import static dev.sessionops.claude.e2e.Harness.get;
import static dev.sessionops.claude.e2e.Harness.message;
import static dev.sessionops.claude.e2e.Harness.reason;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.SessionPhase;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.history.HistoryEntry;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The end-to-end scenarios that run on both tiers ({@link Tier}): the mock tier for speed, the real API server for
 * truth. Each works in a namespace of its own.
 */
public final class Scenarios {
    private Scenarios() {
    }

    /**
     * A session of three messages, run through the real CLI one after another, each resuming the last: order, resume
     * ids, growing context at the API, the status of messages and session, the six Redis entries, and a replayed
     * completion writing nothing twice.
     */
    public static void threeMessageConversation(Tier tier) {
        KubernetesClient client = tier.client();
        String ns = Harness.namespace(client, "conv");
        Harness.session(client, ns, "chat", s -> s.setPermissionMode("acceptEdits"));
        List<String> names = List.of("chat-01", "chat-02", "chat-03");
        List<String> prompts = List.of("First question " + ns, "Second question " + ns, "Third question " + ns);
        for (int i = 0; i < 3; i++) {
            message(client, ns, names.get(i), "chat", prompts.get(i));
        }
        List<ClaudeMessage> done = names.stream().map(n -> awaitPhase(client, ns, n, MessagePhase.Succeeded)).toList();

        // strictly one after another, in creation order
        List<ContainerRun> runs = tier.kubelet().mainRuns(ns);
        assertEquals(3, runs.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(done.get(i).getStatus().getJobName(), runs.get(i).jobName());
        }
        for (int i = 1; i < 3; i++) {
            assertFalse(runs.get(i).startedAt().isBefore(runs.get(i - 1).finishedAt()), "run " + i + " overlapped the one before");
        }

        // the first starts a conversation; the others resume it (same Claude session id) with their own prompt
        String sessionId = done.get(0).getStatus().getSessionId();
        assertNotNull(sessionId);
        assertNull(done.get(0).getStatus().getResumedFrom());
        assertTrue(runs.get(0).argv().stream().noneMatch(a -> a.startsWith("--resume")));
        for (int i = 1; i < 3; i++) {
            assertEquals(sessionId, done.get(i).getStatus().getResumedFrom());
            assertTrue(runs.get(i).argv().contains("--resume=" + sessionId), "argv: " + runs.get(i).argv());
            assertEquals(prompts.get(i), Harness.promptOf(runs.get(i)));
            assertFalse(runs.get(i).argv().contains(prompts.get(i)), "the prompt is in no argument: " + runs.get(i).argv());
            assertEquals(sessionId, done.get(i).getStatus().getSessionId());
        }

        // the API saw the conversation grow: every earlier user and assistant message came back from the transcript
        FakeAnthropicApi api = tier.api();
        for (int i = 0; i < 3; i++) {
            String prompt = prompts.get(i);
            FakeAnthropicApi.Request request = api.messageRequests().stream()
                    .filter(r -> prompt.equals(r.lastUserText())).reduce((a, b) -> b).orElseThrow();
            assertEquals(2 * i + 1, request.conversationLength());
            String body = request.body().toString();
            for (int j = 0; j < i; j++) {
                assertTrue(body.contains(prompts.get(j)), "request " + i + " lacks earlier prompt " + j);
                assertTrue(body.contains(done.get(j).getStatus().getResult()), "request " + i + " lacks earlier reply " + j);
            }
            assertTrue(done.get(i).getStatus().getResult().startsWith("Received " + (2 * i + 1) + " messages"),
                    done.get(i).getStatus().getResult());
        }

        // every message reports its run
        double totalCost = 0;
        long totalInput = 0;
        for (ClaudeMessage m : done) {
            var st = m.getStatus();
            assertTrue(st.getCostUsd() > 0, "costUsd");
            assertTrue(st.getNumTurns() >= 1, "numTurns");
            assertTrue(st.getUsage().getInputTokens() > 0 && st.getUsage().getOutputTokens() > 0, "usage");
            assertTrue(st.getDurationMs() > 0, "durationMs");
            assertNotNull(st.getStartedAt());
            assertNotNull(st.getCompletedAt());
            assertEquals("True", st.getConditions().stream().filter(c -> c.getType().equals("Succeeded")).findFirst()
                    .orElseThrow().getStatus());
            totalCost += st.getCostUsd();
            totalInput += st.getUsage().getInputTokens();
        }
        // the Job controller (the local kubelet, or the real one) decided success
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(done.get(2).getStatus().getJobName()).get();
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(1, job.getStatus().getSucceeded());

        // the session sums it up
        double expectedCost = totalCost;
        long expectedInput = totalInput;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ClaudeSession s = Harness.getSession(client, ns, "chat");
            assertEquals(3, s.getStatus().getMessageCount());
            assertEquals(sessionId, s.getStatus().getCurrentSessionId());
            assertEquals(List.of(sessionId), s.getStatus().getSessionChain());
            assertEquals(SessionPhase.Idle, s.getStatus().getPhase());
            assertNotNull(s.getStatus().getLastActive());
            assertEquals(expectedCost, s.getStatus().getTotalCostUsd(), 1e-9);
            assertEquals(expectedInput, s.getStatus().getUsage().getInputTokens());
        });

        // Redis holds the six turns in order
        ConversationKey key = Harness.conversation(client, ns, "chat");
        List<HistoryEntry> entries = tier.history().history(key, 0, -1);
        assertEquals(6, entries.size());
        for (int i = 0; i < 3; i++) {
            HistoryEntry user = entries.get(2 * i);
            HistoryEntry assistant = entries.get(2 * i + 1);
            assertEquals("user", user.role());
            assertEquals(prompts.get(i), user.content());
            assertEquals("assistant", assistant.role());
            assertEquals(done.get(i).getStatus().getResult(), assistant.content());
            assertEquals(names.get(i), user.message());
            assertEquals(names.get(i), assistant.message());
            assertEquals(sessionId, user.sessionId());
            assertFalse(Instant.parse(assistant.timestamp()).isBefore(Instant.parse(user.timestamp())));
        }

        // replaying a completion (a lost status write, then a new look at the finished Job) writes nothing twice
        client.resources(ClaudeMessage.class).inNamespace(ns).withName("chat-02").editStatus(m -> {
            m.getStatus().setPhase(MessagePhase.Running);
            return m;
        });
        Job touched = client.batch().v1().jobs().inNamespace(ns).withName(done.get(1).getStatus().getJobName())
                .edit(j -> {
                    j.getMetadata().getLabels().put("touched", "yes");
                    return j;
                });
        assertNotNull(touched);
        awaitPhase(client, ns, "chat-02", MessagePhase.Succeeded);
        assertEquals(6, tier.history().history(key, 0, -1).size());
        assertEquals(3, Harness.jobs(client, ns).size());
        assertEquals(3, tier.kubelet().mainRuns(ns).size());
        assertEquals(3, tier.history().summary(key).messageCount());
        assertEquals(done.get(1).getStatus().getResult(), get(client, ns, "chat-02").getStatus().getResult());
    }

    /**
     * An API error fails its message with the CLI's own words (reason CliError, a Warning Event), adds nothing to the
     * history, and the next message resumes the last good Claude session at its last good turn: the API, which
     * refuses any request holding the failed prompt, sees only the succeeded turns, so the session is not poisoned.
     */
    public static void apiErrorThenResumeLastGoodSession(Tier tier) {
        KubernetesClient client = tier.client();
        String ns = Harness.namespace(client, "errs");
        Harness.session(client, ns, "errs", s -> {
        });
        message(client, ns, "errs-01", "errs", "A good start");
        String good = awaitPhase(client, ns, "errs-01", MessagePhase.Succeeded).getStatus().getSessionId();
        message(client, ns, "errs-02", "errs", "[[poison 400 Fake bad request for testing]]");
        ClaudeMessage failed = awaitPhase(client, ns, "errs-02", MessagePhase.Failed);
        assertEquals("CliError", reason(failed));
        assertTrue(conditionMessage(failed).contains("API Error: 400"), conditionMessage(failed));
        assertTrue(conditionMessage(failed).contains("Fake bad request for testing"), conditionMessage(failed));
        await().atMost(Duration.ofSeconds(10)).until(() -> Harness.events(client, ns, "errs-02").stream()
                .anyMatch(e -> "CliError".equals(e.getReason()) && "Warning".equals(e.getType())));
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(failed.getStatus().getJobName()).get();
        assertEquals(1, job.getStatus().getFailed(), "the Job failed: the CLI exited non-zero");

        message(client, ns, "errs-03", "errs", "Carry on " + ns);
        ClaudeMessage next = awaitPhase(client, ns, "errs-03", MessagePhase.Succeeded);
        assertEquals(good, next.getStatus().getResumedFrom());
        assertEquals(good, next.getStatus().getSessionId());
        assertEquals("Received 3 messages. Last: Carry on " + ns, next.getStatus().getResult());
        var carryOn = tier.api().messageRequests().stream().filter(r -> r.lastUserText().equals("Carry on " + ns)).toList();
        assertFalse(carryOn.isEmpty());
        carryOn.forEach(r -> assertTrue(r.userTexts().stream().noneMatch(t -> t.contains("[[poison")), r.userTexts().toString()));
        // the failed run added nothing to the history: two good exchanges
        assertEquals(4, tier.history().history(Harness.conversation(client, ns, "errs"), 0, -1).size());
    }

    /**
     * The session's state volume loses the CLI's transcripts (a replaced claim, a wiped disk): the next message fails
     * ConversationStateLost, saying how to go on, instead of a bare CLI error; after spec.resetConversation the next
     * one succeeds in a new Claude session, which joins the chain after the old one.
     */
    public static void lostStateVolumeThenReset(Tier tier) {
        KubernetesClient client = tier.client();
        String ns = Harness.namespace(client, "lost");
        Harness.session(client, ns, "lost", s -> {
        });
        message(client, ns, "lost-01", "lost", "Remember me");
        String first = awaitPhase(client, ns, "lost-01", MessagePhase.Succeeded).getStatus().getSessionId();
        Path state = tier.kubelet().volumeDir(ns, JobNames.stateClaim("lost"));
        try (var files = Files.list(state)) {
            for (Path p : files.toList()) {
                deleteRecursively(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        message(client, ns, "lost-02", "lost", "Still there?");
        ClaudeMessage lost = awaitPhase(client, ns, "lost-02", MessagePhase.Failed);
        assertEquals("ConversationStateLost", Harness.reason(lost));
        assertTrue(Harness.conditionMessage(lost).contains(first), Harness.conditionMessage(lost));
        assertTrue(Harness.conditionMessage(lost).contains("spec.resetConversation"), Harness.conditionMessage(lost));

        // a merge patch of the spec alone, as kubectl patch does: edit's read-then-write can meet the operator's own
        // status write in between (409)
        client.resources(ClaudeSession.class).inNamespace(ns).withName("lost").patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                "{\"spec\":{\"resetConversation\":\"after-lost-02\"}}");
        message(client, ns, "lost-03", "lost", "Start again");
        ClaudeMessage again = awaitPhase(client, ns, "lost-03", MessagePhase.Succeeded);
        assertNull(again.getStatus().getResumedFrom(), "a new conversation");
        assertNotEquals(first, again.getStatus().getSessionId());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ClaudeSession s = Harness.getSession(client, ns, "lost");
            assertEquals("after-lost-02", s.getStatus().getConversationReset());
            assertEquals(List.of(first, again.getStatus().getSessionId()), s.getStatus().getSessionChain());
        });
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A run past its timeout is stopped by the Job's deadline and the message fails with DeadlineExceeded. */
    public static void runPastItsTimeoutFailsWithDeadlineExceeded(Tier tier) {
        KubernetesClient client = tier.client();
        String ns = Harness.namespace(client, "slow");
        message(client, ns, "slow", null, "[[sleep 30000]] Take your time", s -> s.setTimeout("2s"));
        ClaudeMessage failed = awaitPhase(client, ns, "slow", MessagePhase.Failed);
        assertEquals("DeadlineExceeded", reason(failed));
        assertTrue(conditionMessage(failed).contains("2s"), conditionMessage(failed));
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(failed.getStatus().getJobName()).get();
        assertEquals(2L, job.getSpec().getActiveDeadlineSeconds());
        assertTrue(job.getStatus().getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "DeadlineExceeded".equals(c.getReason())), "Job condition");
        // stopped long before the fake API would have answered
        ContainerRun run = tier.kubelet().mainRuns(ns).get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> run.finishedAt() != null);
        assertTrue(Duration.between(run.startedAt(), run.finishedAt()).toSeconds() < 25, "killed at the deadline");
    }
}
