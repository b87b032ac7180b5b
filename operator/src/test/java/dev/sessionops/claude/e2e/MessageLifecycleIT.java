package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.awaitReason;
import static dev.sessionops.claude.e2e.Harness.conditionMessage;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;


import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.GitWorkspace;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.Workspace;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.local.ContainerRun;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusTest;

/** Waiting for a session, one-shot messages, tools and the workspace, failures and deadlines, all through the real CLI. */
@QuarkusTest
class MessageLifecycleIT extends EndToEndTest {

    @Test
    void messageWaitsForItsSessionThenRuns() {
        String ns = Harness.namespace(client, "late");
        message(client, ns, "late-01", "late", "Hello from before the session existed");
        ClaudeMessage waiting = awaitReason(client, ns, "late-01", "SessionNotFound");
        assertEquals(MessagePhase.Pending, waiting.getStatus().getPhase());
        assertTrue(conditionMessage(waiting).contains("late"));
        assertTrue(Harness.events(client, ns, "late-01").stream().anyMatch(e -> "SessionNotFound".equals(e.getReason())));
        assertTrue(Harness.jobs(client, ns).isEmpty());

        Harness.session(client, ns, "late", s -> {
        });
        ClaudeMessage done = awaitPhase(client, ns, "late-01", MessagePhase.Succeeded);
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"));
        // the session now owns the message, so deleting the session deletes it
        assertTrue(done.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getKind().equals("ClaudeSession")));
    }

    /**
     * An error of 2 MB (the API's answer, which the CLI prints in its result and on stderr): the message fails with a
     * condition and an Event of at most 1 KiB, its status stays far below the object size limit, and the session's
     * next message runs.
     */
    @Test
    void aTwoMegabyteErrorFailsTheMessageWithAShortConditionAndTheNextRuns() {
        String ns = Harness.namespace(client, "huge");
        Harness.session(client, ns, "huge", s -> {
        });
        message(client, ns, "huge-01", "huge", "[[error-of-size 400 2000000]]");
        message(client, ns, "huge-02", "huge", "After the flood");

        ClaudeMessage failed = awaitPhase(client, ns, "huge-01", MessagePhase.Failed);
        assertEquals("CliError", Harness.reason(failed));
        assertTrue(Harness.conditionMessage(failed).length() <= 1024, "" + Harness.conditionMessage(failed).length());
        assertTrue(client.getKubernetesSerialization().asJson(failed).length() < 64 * 1024, "the object stays small");
        assertTrue(Harness.events(client, ns, "huge-01").stream().allMatch(e -> e.getMessage().length() <= 1024));
        awaitPhase(client, ns, "huge-02", MessagePhase.Succeeded);
    }

    /**
     * The model API fails the first four requests (HTTP 500, about 9 s of the CLI's backoff; it gives up on a third 529
     * in a row, so not that): the message says it retries, in one status write and one Event for the four retries
     * (they come within 5 s of each other), then, the API answering, the running condition comes back while the tool
     * it asked for runs (6 s), and the run succeeds.
     */
    @Test
    void aModelApiRetriedIsShownWhileTheCliRetriesThenTheRunGoesOn() {
        String ns = Harness.namespace(client, "retry");
        Harness.session(client, ns, "retry", s -> {
        });
        // every condition the message shows, as the API server sends each change of it
        List<String> conditions = new CopyOnWriteArrayList<>();
        try (Watch watch = client.resources(ClaudeMessage.class).inNamespace(ns).withName("retry-01")
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ClaudeMessage m) {
                        if (m.getStatus() != null && m.getStatus().getConditions() != null
                                && !m.getStatus().getConditions().isEmpty()) {
                            String shown = Harness.reason(m) + ": " + conditionMessage(m);
                            if (conditions.isEmpty() || !conditions.get(conditions.size() - 1).equals(shown)) {
                                conditions.add(shown);
                            }
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            message(client, ns, "retry-01", "retry",
                    "[[fail-first 4 500 Internal error for testing]] [[tool Bash {\"command\":\"sleep 6\"}]]");

            ClaudeMessage retrying = awaitReason(client, ns, "retry-01", "RetryingModelApi");
            assertEquals(MessagePhase.Running, retrying.getStatus().getPhase());
            String text = conditionMessage(retrying);
            assertEquals("the model API did not answer (HTTP 500 server_error); retrying, attempt 1 of 10", text);

            ClaudeMessage answered = awaitReason(client, ns, "retry-01", "JobCreated");
            assertEquals(MessagePhase.Running, answered.getStatus().getPhase());
            String running = "running as Job " + answered.getStatus().getJobName();
            assertEquals(running, conditionMessage(answered));

            ClaudeMessage done = awaitPhase(client, ns, "retry-01", MessagePhase.Succeeded);
            assertEquals("Succeeded", Harness.reason(done));
            assertTrue(done.getStatus().getResult().contains("Tool result: ok"), done.getStatus().getResult());
            await().atMost(Duration.ofSeconds(10)).until(() -> conditions.get(conditions.size() - 1).startsWith("Succeeded"));
            int first = conditions.indexOf("RetryingModelApi: " + text);
            assertEquals(List.of("RetryingModelApi: " + text, "JobCreated: " + running, "Succeeded: " + conditionMessage(done)),
                    conditions.subList(first, conditions.size()), "the four retries in one write: " + conditions);
            List<String> retryEvents = Harness.events(client, ns, "retry-01").stream()
                    .filter(e -> "RetryingModelApi".equals(e.getReason())).map(e -> e.getMessage()).toList();
            assertEquals(List.of(text), retryEvents, "one Event for the run, not one per retry");
        }
    }

    /**
     * No model API at all (a closed port, in the session's env, and the CLI's own retry count lowered there so the run
     * gives up in seconds instead of minutes): the message says it retries, then fails naming the cause.
     */
    @Test
    void aModelApiThatNeverAnswersFailsTheMessageNamingIt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String ns = Harness.namespace(client, "noapi");
        Harness.session(client, ns, "noapi", s -> s.setEnv(List.of(
                new EnvVar("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closed, null),
                new EnvVar("CLAUDE_CODE_MAX_RETRIES", "4", null))));
        message(client, ns, "noapi-01", "noapi", "Hello, is anybody there?");

        ClaudeMessage failed = awaitPhase(client, ns, "noapi-01", MessagePhase.Failed);
        assertEquals("CliError", Harness.reason(failed));
        String text = conditionMessage(failed);
        assertTrue(text.startsWith("the model API was unreachable (connection error): claude gave up after 5 attempts:"
                + " API Error: Connection refused"), text);
        assertTrue(Harness.events(client, ns, "noapi-01").stream().anyMatch(e -> "RetryingModelApi".equals(e.getReason())),
                "it said so while it retried");
        assertTrue(Harness.events(client, ns, "noapi-01").stream()
                .anyMatch(e -> "CliError".equals(e.getReason()) && e.getMessage().equals(text)));
    }

    @Test
    void messageWithoutSessionIsAOneShotConversation() {
        String ns = Harness.namespace(client, "oneshot");
        message(client, ns, "haiku", null, "Write a haiku " + ns);
        ClaudeMessage done = awaitPhase(client, ns, "haiku", MessagePhase.Succeeded);
        assertNull(done.getStatus().getResumedFrom());
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages"));
        var entries = history.history(ConversationKey.oneShot(Harness.get(client, ns, "haiku")), 0, -1);
        assertEquals(List.of("user", "assistant"), entries.stream().map(e -> e.role()).toList());
        // no session, no state volume: the Job keeps its state in an emptyDir
        var job = client.batch().v1().jobs().inNamespace(ns).withName(done.getStatus().getJobName()).get();
        assertTrue(job.getSpec().getTemplate().getSpec().getVolumes().stream()
                .anyMatch(v -> v.getEmptyDir() != null));
        assertTrue(client.persistentVolumeClaims().inNamespace(ns).list().getItems().isEmpty());
    }

    @Test
    void writeToolWithAcceptEditsChangesTheWorkspaceWhichOutlivesTheJob() throws Exception {
        String ns = Harness.namespace(client, "tools");
        Harness.session(client, ns, "tools", s -> s.setPermissionMode("acceptEdits"));
        message(client, ns, "tools-01", "tools", "[[write " + PodLayout.WORKSPACE + "/notes.txt hello from claude]]");
        ClaudeMessage first = awaitPhase(client, ns, "tools-01", MessagePhase.Succeeded);
        assertTrue(first.getStatus().getResult().contains("Tool result: ok"), first.getStatus().getResult());
        assertNull(first.getStatus().getPermissionDenials());
        Path file = kubelet.volumeDir(ns, JobNames.stateClaim("tools")).resolve(PodLayout.WORKSPACE_SUBPATH).resolve("notes.txt");
        assertEquals("hello from claude", Files.readString(file).strip());

        message(client, ns, "tools-02", "tools", "Is the file still there?");
        awaitPhase(client, ns, "tools-02", MessagePhase.Succeeded);
        assertEquals("hello from claude", Files.readString(file).strip());
    }

    @Test
    void disallowedWriteLeavesTheWorkspaceAloneAndIsReported() {
        String ns = Harness.namespace(client, "denied");
        Harness.session(client, ns, "denied", s -> {
            s.setPermissionMode("acceptEdits");
            s.setDisallowedTools(List.of("Write"));
        });
        message(client, ns, "denied-01", "denied", "[[write " + PodLayout.WORKSPACE + "/denied.txt should not exist]]");
        ClaudeMessage done = awaitPhase(client, ns, "denied-01", MessagePhase.Succeeded);
        assertEquals(List.of("Write"), done.getStatus().getPermissionDenials());
        assertTrue(done.getStatus().getResult().contains("Tool result: error"), done.getStatus().getResult());
        Path file = kubelet.volumeDir(ns, JobNames.stateClaim("denied")).resolve(PodLayout.WORKSPACE_SUBPATH).resolve("denied.txt");
        assertFalse(Files.exists(file));
    }

    @Test
    void apiErrorFailsTheMessageAndTheNextOneResumesTheLastGoodSession() {
        Scenarios.apiErrorThenResumeLastGoodSession(tier());
    }

    @Test
    void gitWorkspaceIsClonedOnFirstUseOnItsBranchAndKeptForTheNextMessage() throws Exception {
        String repository = bareRepositoryWithReadme();
        String ns = Harness.namespace(client, "git");
        Harness.session(client, ns, "feature", s -> {
            s.setPermissionMode("acceptEdits");
            Workspace workspace = new Workspace();
            GitWorkspace git = new GitWorkspace();
            git.setRepository(repository);
            git.setBranch("feature/validation");
            git.setBaseRef("main");
            workspace.setGit(git);
            s.setWorkspace(workspace);
        });
        message(client, ns, "feature-01", "feature", "[[write " + PodLayout.WORKSPACE + "/by-claude.txt written in the checkout]]");
        awaitPhase(client, ns, "feature-01", MessagePhase.Succeeded);
        Path checkout = kubelet.volumeDir(ns, JobNames.stateClaim("feature")).resolve(PodLayout.WORKSPACE_SUBPATH);
        assertEquals("# demo", Files.readString(checkout.resolve("README.md")).strip());
        assertEquals("ref: refs/heads/feature/validation", Files.readString(checkout.resolve(".git/HEAD")).strip());
        assertTrue(Files.exists(checkout.resolve("by-claude.txt")));

        message(client, ns, "feature-02", "feature", "Anything new?");
        ClaudeMessage second = awaitPhase(client, ns, "feature-02", MessagePhase.Succeeded);
        assertTrue(Files.exists(checkout.resolve("by-claude.txt")), "the second Job reused the checkout");
        ContainerRun init = kubelet.runs(ns, second.getStatus().getJobName()).stream()
                .filter(ContainerRun::isInitContainer).findFirst().orElseThrow();
        assertEquals(0, init.exitCode());
        assertTrue(init.log().contains("already holds a checkout"), init.log());
    }

    /** A bare repository with one commit on main, readable by the pod's user. */
    private static String bareRepositoryWithReadme() throws Exception {
        Path dir = Files.createTempDirectory("git-remote");
        Path source = dir.resolve("source");
        Files.createDirectories(source);
        Files.writeString(source.resolve("README.md"), "# demo\n");
        run(source, "git", "init", "-q", "-b", "main");
        run(source, "git", "add", "README.md");
        run(source, "git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "initial");
        run(dir, "git", "clone", "-q", "--bare", source.toString(), "repo.git");
        run(dir, "chmod", "-R", "a+rX", dir.toString());
        run(dir, "chown", "-R", PodLayout.RUN_AS_USER + ":" + PodLayout.RUN_AS_USER, dir.resolve("repo.git").toString());
        return dir.resolve("repo.git").toString();
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    @Test
    void runPastItsTimeoutFailsWithDeadlineExceeded() {
        Scenarios.runPastItsTimeoutFailsWithDeadlineExceeded(tier());
    }
}
