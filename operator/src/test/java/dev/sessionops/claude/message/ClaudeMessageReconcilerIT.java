package dev.sessionops.claude.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.api.runner.Labels;
import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.events.RunLog;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.history.Completion;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.kube.Conditions;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.StatusWriter;
import dev.sessionops.claude.observability.OperatorMetrics;
import dev.sessionops.claude.testing.JobPod;
import dev.sessionops.claude.testing.FakeHistoryStore;
import dev.sessionops.claude.testing.NoLiveEvents;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import dev.sessionops.claude.api.runner.JobNames;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@link ClaudeMessageReconciler#reconcile} called directly, outside Quarkus and the SDK: the history in memory
 * ({@link FakeHistoryStore}), the informer caches as the test hands them in ({@link TestContext}), every write on a
 * Fabric8 mock API server, whose state is what is asserted.
 */
@EnableKubernetesMockClient(crud = true)
class ClaudeMessageReconcilerIT {
    private static final String NS = "ns";
    private static final String SECRET = "anthropic";

    KubernetesMockServer server;
    KubernetesClient client;

    private final FakeHistoryStore history = new FakeHistoryStore();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private ClaudeMessageReconciler reconciler;

    @BeforeEach
    void reconciler() {
        reconciler = reconcilerFollowedBy(new NoLiveEvents());
    }

    private ClaudeMessageReconciler reconcilerFollowedBy(NoLiveEvents liveEvents) {
        // the operator's default Secret, so a one-shot message (no session to name credentials) can start; a finished
        // Job deleted at once (its default keep is for kubectl logs)
        OperatorConfig config = TestOperatorConfig.with("cso.defaults.credentials-secret", SECRET,
                "cso.job.keep-after-record", "0s");
        return new ClaudeMessageReconciler(new RunPlanner(client, config), history,
                new JobLogs(client, new PodLogStream(client)), new EventRecorder(client), config,
                new OperatorMetrics(meters), liveEvents, new RunSlots(config, client));
    }

    @Test
    void aOneShotMessageGetsTheFinalizerAndStartsItsJob() {
        secret();
        ClaudeMessage message = message("solo", null);

        reconcile(message);

        ClaudeMessage stored = stored("solo");
        assertTrue(stored.hasFinalizer(ClaudeMessageReconciler.FINALIZER), "its conversation in Redis needs cleaning up");
        assertEquals(MessagePhase.Running, stored.getStatus().getPhase());
        assertNotNull(client.batch().v1().jobs().inNamespace(NS).withName(stored.getStatus().getJobName()).get());
    }

    @Test
    void aSessionsMessageIsQueuedAndOwnedByItsSessionWithoutAFinalizer() {
        secret();
        ClaudeSession session = session("chat");
        ClaudeMessage message = message("chat-01", "chat");

        UpdateControl<ClaudeMessage> control = reconcile(message, session);

        ClaudeMessage stored = stored("chat-01");
        assertFalse(stored.hasFinalizer(ClaudeMessageReconciler.FINALIZER), "the session's finalizer cleans up");
        assertEquals(MessagePhase.Queued, stored.getStatus().getPhase());
        Condition succeeded = succeeded(stored);
        assertEquals(Conditions.UNKNOWN, succeeded.getStatus());
        assertEquals(Reasons.QUEUED, succeeded.getReason());
        assertEquals(List.of(session.getMetadata().getUid()),
                stored.getMetadata().getOwnerReferences().stream().map(o -> o.getUid()).toList());
        assertEquals(List.of(), client.batch().v1().jobs().inNamespace(NS).list().getItems(), "the session starts it");
        assertTrue(control.getScheduleDelay().isEmpty(), "the session's events wake it, not a timer");
    }

    /**
     * A session's message seen first costs two writes and no read: its owner reference (a conditional JSON patch of
     * the copy read, no GET as Fabric8's edit makes) and its Queued status (no GET either); being queued is routine,
     * so no Event.
     */
    @Test
    void aSessionsMessageIsQueuedWithTwoWritesAndNoRead() throws Exception {
        secret();
        ClaudeSession session = session("chat");
        ClaudeMessage message = message("chat-01", "chat");
        drainRequests();

        reconcile(message, session);

        List<String> requests = drainRequests();
        assertEquals(List.of("PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudemessages/chat-01",
                "PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudemessages/chat-01/status"),
                requests.stream().filter(r -> !r.contains("/namespaces/ns/secrets/") && !r.startsWith("GET /api/v1/namespaces/ns")).toList(),
                "the planner's reads aside: " + requests);
        ClaudeMessage stored = stored("chat-01");
        assertEquals(MessagePhase.Queued, stored.getStatus().getPhase());
        assertEquals(List.of(session.getMetadata().getUid()),
                stored.getMetadata().getOwnerReferences().stream().map(o -> o.getUid()).toList());
        assertEquals("Hello chat-01", stored.getSpec().getPrompt(), "the spec untouched");
    }

    /** The owner reference is written only onto the version read: a message changed since is reconciled again. */
    @Test
    void theOwnerReferenceIsNotWrittenOverANewerVersion() {
        secret();
        ClaudeSession session = session("chat");
        ClaudeMessage read = message("chat-01", "chat");
        client.resources(ClaudeMessage.class).inNamespace(NS).withName("chat-01").edit(m -> {
            m.getMetadata().setLabels(Map.of("changed", "since"));
            return m;
        });

        reconcile(clone(read), session);

        ClaudeMessage stored = stored("chat-01");
        assertTrue(stored.getMetadata().getOwnerReferences() == null || stored.getMetadata().getOwnerReferences().isEmpty(),
                "not written over the newer version");
        assertEquals(Map.of("changed", "since"), stored.getMetadata().getLabels());
    }

    /** A session deleted and created again: the old one's message is not adopted by the new one, it waits for GC. */
    @Test
    void aMessageOfAnEarlierSessionOfTheSameNameIsNotAdopted() {
        secret();
        ClaudeSession session = session("chat");
        ClaudeMessage old = client.resource(message("chat-01", "chat")).edit(m -> {
            m.getMetadata().getOwnerReferences().add(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion(session.getApiVersion()).withKind(ClaudeSession.KIND).withName("chat")
                    .withUid("uid-of-the-deleted-chat").build());
            return m;
        });

        reconcile(old, session);

        ClaudeMessage stored = stored("chat-01");
        assertEquals(1, stored.getMetadata().getOwnerReferences().size(), "not owned by the new session");
        assertEquals(Reasons.SESSION_NOT_FOUND, succeeded(stored).getReason());
    }

    @Test
    void theFinalizerAnOlderVersionPutOnASessionsMessageIsRemoved() {
        secret();
        ClaudeSession session = session("chat");
        ClaudeMessage message = message("chat-01", "chat", ClaudeMessageReconciler.FINALIZER);

        reconcile(message, session);

        assertFalse(stored("chat-01").hasFinalizer(ClaudeMessageReconciler.FINALIZER));
    }

    @Test
    void deletingAOneShotMessageDeletesItsConversationThenReleasesIt() {
        ClaudeMessage message = message("solo", null, ClaudeMessageReconciler.FINALIZER);
        ConversationKey key = ConversationKey.oneShot(message);
        history.record(key, completion(message));

        ClaudeMessage deleting = markDeleted(message);
        UpdateControl<ClaudeMessage> control = reconcile(deleting);

        assertFalse(history.exists(key));
        assertNull(stored("solo"), "the last finalizer gone, the API server deletes it");
        assertTrue(control.getScheduleDelay().isEmpty());
    }

    /** Deleting a running one-shot message stops its run first (as a cancel does), then lets the message go. */
    @Test
    void deletingARunningOneShotMessageStopsItsJobBeforeItsFinalizerLetsGo() {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(running.getStatus().getJobName()).get();
        ClaudeMessage deleting = markDeleted(running);

        UpdateControl<ClaudeMessage> first = reconciler.reconcile(deleting, new TestContext<>(deleting, client)
                .with(Job.class, job));

        assertTrue(stored("solo").hasFinalizer(ClaudeMessageReconciler.FINALIZER), "kept while its run stops");
        assertNull(client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get(), "Job deleted");
        assertEquals(Optional.of(MessageTransition.SETTLE.toMillis()), first.getScheduleDelay());

        reconciler.reconcile(stored("solo"), new TestContext<>(stored("solo"), client)); // the Job is gone
        assertNull(stored("solo"), "then the message goes");
    }

    @Test
    void withRedisDownADeletedOneShotMessageKeepsItsFinalizerAndIsRetried() {
        ClaudeMessage message = message("solo", null, ClaudeMessageReconciler.FINALIZER);
        ConversationKey key = ConversationKey.oneShot(message);
        history.record(key, completion(message));
        ClaudeMessage deleting = markDeleted(message);
        history.down(true);

        UpdateControl<ClaudeMessage> control = reconcile(deleting);

        ClaudeMessage stored = stored("solo");
        assertNotNull(stored, "released before its conversation was deleted");
        assertTrue(stored.hasFinalizer(ClaudeMessageReconciler.FINALIZER), "the keys must not outlive it unnoticed");
        assertEquals(Optional.of(MessageTransition.RECHECK.toMillis()), control.getScheduleDelay());
        assertTrue(history.down(false).exists(key));
    }

    @Test
    void aFinishedMessageIsNotWrittenAgain() {
        ClaudeMessage message = message("solo", null, ClaudeMessageReconciler.FINALIZER);
        ClaudeMessageStatus status = new ClaudeMessageStatus();
        status.setPhase(MessagePhase.Succeeded);
        ClaudeMessage finished = StatusWriter.write(client, message, status);
        int requests = server.getRequestCount();

        UpdateControl<ClaudeMessage> control = reconcile(finished);

        assertTrue(control.isNoUpdate());
        assertTrue(control.getScheduleDelay().isEmpty());
        assertEquals(requests, server.getRequestCount(), "not a single request to the API server");
        assertEquals(0, history.recordCalls());
    }

    @Test
    void theDeleteEventOfAGoneMessageWritesNothing() {
        ClaudeMessage message = message("chat-01", "chat");
        client.resource(message).delete(); // no finalizer: gone at once
        int requests = server.getRequestCount();

        UpdateControl<ClaudeMessage> control = reconciler.reconcile(message,
                new TestContext<>(message, client).primaryDeleted());

        assertTrue(control.isNoUpdate());
        assertEquals(requests, server.getRequestCount(), "nothing left to write to");
    }

    /**
     * Recording a finished run costs the same requests at the API server whether its namespace holds 1 or 2,000 other
     * messages: its pod and log, its status, its Job; nothing listed, nothing per other message.
     */
    @Test
    void recordingARunCostsTheSameWithOneOrTwoThousandOtherMessages() throws Exception {
        List<String> alone = recordingRequests("solo-a");
        for (int i = 0; i < 2000; i++) {
            message(String.format("other-%04d", i), i % 2 == 0 ? "chat" : null);
        }
        List<String> crowded = recordingRequests("solo-b");
        assertEquals(alone, crowded.stream().map(r -> r.replace("solo-b", "solo-a")).toList());
        assertTrue(alone.stream().noneMatch(r -> r.matches("GET .*/claudemessages(\\?.*)?")), "no LIST of messages: " + alone);
        assertEquals(List.of("GET /api/v1/namespaces/ns/pods?labelSelector=job-name%3Dsolo-a-#&resourceVersion=0",
                "GET /api/v1/namespaces/ns/pods/solo-a-#-x7k2p/log?container=claude",
                "GET /api/v1/namespaces/ns/configmaps/solo-a-#-prompt-#",
                "PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudemessages/solo-a/status",
                "POST /api/v1/namespaces/ns/events",
                "DELETE /apis/batch/v1/namespaces/ns/jobs/solo-a-#"), alone,
                "its pod (from the API server's watch cache), log and prompt read; one status write (no GET first), the outcome's"
                        + " Event, the Job deleted");
        System.out.println("recording a run: " + alone.size() + " requests: " + alone);
    }

    /**
     * A run whose follower read its log to the end is recorded from what the follower kept: no pods list, no
     * {@code pods/log}; the same outcome as from the pod's log.
     */
    @Test
    void aRunItsFollowerReadToTheEndIsRecordedWithoutReadingItsLogAgain() throws Exception {
        secret();
        RunLog.Reader read = RunLog.reader();
        read.accept(fixture("text").getBytes(StandardCharsets.UTF_8));
        reconciler = reconcilerFollowedBy(NoLiveEvents.keeping(read.finish()));

        List<String> requests = recordingRequests("kept");

        assertEquals(List.of("GET /api/v1/namespaces/ns/configmaps/kept-#-prompt-#",
                "PATCH /apis/claude.sessionops.dev/v1alpha1/namespaces/ns/claudemessages/kept/status",
                "POST /api/v1/namespaces/ns/events",
                "DELETE /apis/batch/v1/namespaces/ns/jobs/kept-#"), requests, "the prompt read, the outcome written");
        reconciler = reconcilerFollowedBy(new NoLiveEvents());
        recordingRequests("read");
        assertEquals(stored("read").getStatus().getResult(), stored("kept").getStatus().getResult());
        assertEquals(stored("read").getStatus().getSessionId(), stored("kept").getStatus().getSessionId());
    }

    /** The requests of reconciling one one-shot message's finished run, as "METHOD path" with hashes blanked. */
    private List<String> recordingRequests(String name) throws Exception {
        reconcile(message(name, null));
        ClaudeMessage running = stored(name);
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));
        drainRequests();
        reconcile(clone(running), finished);
        List<String> requests = drainRequests().stream().map(r -> r.replaceAll("-[0-9a-f]{5,}", "-#")).toList();
        assertEquals(MessagePhase.Succeeded, stored(name).getStatus().getPhase());
        return requests;
    }

    private List<String> drainRequests() throws InterruptedException {
        return RecordedRequests.drain(server);
    }

    @Test
    void aReplayAfterALostStatusWriteEndsTheSameWithoutRecordingTwice() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo"); // Running, its Job created
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));

        // the Job's completion; then the same run again as if the first status write had been lost, and looking
        // different now (a Job's status read at another moment): the first recording's outcome is what the status says
        reconcile(clone(running), finished);
        ClaudeMessage first = stored("solo");
        ClaudeMessage lost = StatusWriter.write(client, first, running.getStatus()); // back to Running, a newer version
        Job lookingFailed = new JobBuilder(finished).withStatus(new JobStatusBuilder().addNewCondition().withType("Failed")
                .withStatus("True").withReason("BackoffLimitExceeded").endCondition().build()).build();
        reconcile(lost, lookingFailed);
        ClaudeMessage replayed = stored("solo");

        assertEquals(MessagePhase.Succeeded, first.getStatus().getPhase());
        assertEquals(Reasons.SUCCEEDED, succeeded(first).getReason());
        assertEquals(MessagePhase.Succeeded, replayed.getStatus().getPhase());
        assertEquals(Reasons.SUCCEEDED, succeeded(replayed).getReason());
        assertEquals(first.getStatus().getResult(), replayed.getStatus().getResult());
        assertEquals(first.getStatus().getSessionId(), replayed.getStatus().getSessionId());
        assertEquals(first.getStatus().getCostUsd(), replayed.getStatus().getCostUsd());

        ConversationKey key = ConversationKey.oneShot(running);
        assertEquals(2, history.recordCalls(), "the replay was told by the recording itself, with no read before it");
        assertEquals(2, history.length(key), "one prompt, one reply");
        assertEquals(1, history.summary(key).messageCount());
        assertEquals(1.0, meters.get(OperatorMetrics.MESSAGES_COMPLETED).counter().count(), "counted once");
    }

    /**
     * Redis is down when the run finishes and stays down while the Job and its pod log are deleted (the TTL
     * controller, a user): the run waits in the status, and once Redis is back it is recorded and the message
     * Succeeded with its result, never Cancelled.
     */
    @Test
    void aRunFinishedWhileRedisWasDownSurvivesItsJobsDeletion() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));
        history.down(true);

        reconcile(clone(running), finished);
        ClaudeMessage waiting = stored("solo");
        assertEquals(MessagePhase.Running, waiting.getStatus().getPhase());
        assertEquals(Reasons.HISTORY_STORE_UNAVAILABLE, succeeded(waiting).getReason());
        assertNotNull(waiting.getStatus().getPendingRecord(), "the run is kept in the status");
        assertEquals("Hello solo", waiting.getStatus().getPendingRecord().getPrompt());
        assertNotNull(waiting.getStatus().getResult());

        client.resource(finished).delete(); // the TTL controller, while Redis is down
        reconcile(waiting); // no Job in the cache: still waiting for Redis
        assertEquals(MessagePhase.Running, stored("solo").getStatus().getPhase());

        history.down(false);
        reconcile(stored("solo"));
        ClaudeMessage done = stored("solo");
        assertEquals(MessagePhase.Succeeded, done.getStatus().getPhase());
        assertEquals(Reasons.SUCCEEDED, succeeded(done).getReason());
        assertEquals(waiting.getStatus().getResult(), done.getStatus().getResult());
        assertNull(done.getStatus().getPendingRecord());
        ConversationKey key = ConversationKey.oneShot(done);
        assertEquals(2, history.length(key), "one prompt, one reply");
        assertEquals("Hello solo", history.history(key, 0, 1).get(0).content());
        assertEquals(1.0, meters.get(OperatorMetrics.MESSAGES_COMPLETED).counter().count());
    }

    @Test
    void aFinishedJobIsKeptForItsKeepThenDeleted() throws IOException {
        OperatorConfig keeping = TestOperatorConfig.with("cso.defaults.credentials-secret", SECRET,
                "cso.job.keep-after-record", "10m");
        ClaudeMessageReconciler keeper = new ClaudeMessageReconciler(new RunPlanner(client, keeping), history,
                new JobLogs(client, new PodLogStream(client)), new EventRecorder(client), keeping,
                new OperatorMetrics(meters), new NoLiveEvents(), new RunSlots(keeping, client));
        secret();
        ClaudeMessage solo = message("solo", null);
        keeper.reconcile(solo, new TestContext<>(solo, client));
        ClaudeMessage running = stored("solo");
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));

        UpdateControl<ClaudeMessage> done = keeper.reconcile(clone(running), new TestContext<>(clone(running), client)
                .with(Job.class, finished));
        assertEquals(MessagePhase.Succeeded, stored("solo").getStatus().getPhase());
        assertEquals(1, client.batch().v1().jobs().inNamespace(NS).list().getItems().size(), "kept for kubectl logs");
        long delay = done.getScheduleDelay().orElseThrow();
        assertTrue(delay > 9 * 60_000 && delay <= 10 * 60_000 + 1000, "looked at again when the keep is over: " + delay);

        // the keep is over (its completion an hour ago): the Job goes
        ClaudeMessage ended = stored("solo");
        ended.getStatus().setCompletedAt("2000-01-01T00:00:00Z");
        UpdateControl<ClaudeMessage> later = keeper.reconcile(ended, new TestContext<>(ended, client).with(Job.class, finished));
        assertTrue(later.getScheduleDelay().isEmpty());
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
    }

    /**
     * cso.messages.ttl-after-finished: a finished message, its Job gone, is looked at again when its time is up, then
     * deleted, and a one-shot one's history with it (its finalizer).
     */
    @Test
    void aFinishedMessageIsDeletedWithItsHistoryOnceRetainedLongEnough() throws IOException {
        OperatorConfig retaining = TestOperatorConfig.with("cso.defaults.credentials-secret", SECRET,
                "cso.job.keep-after-record", "0s", "cso.messages.ttl-after-finished", "1h");
        ClaudeMessageReconciler retainer = new ClaudeMessageReconciler(new RunPlanner(client, retaining), history,
                new JobLogs(client, new PodLogStream(client)), new EventRecorder(client), retaining,
                new OperatorMetrics(meters), new NoLiveEvents(), new RunSlots(retaining, client));
        secret();
        ClaudeMessage solo = message("solo", null);
        retainer.reconcile(solo, new TestContext<>(solo, client));
        ClaudeMessage running = stored("solo");
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));
        retainer.reconcile(clone(running), new TestContext<>(clone(running), client).with(Job.class, finished));
        ClaudeMessage done = stored("solo");
        assertEquals(MessagePhase.Succeeded, done.getStatus().getPhase());
        ConversationKey key = ConversationKey.oneShot(done);
        assertEquals(2, history.length(key));

        UpdateControl<ClaudeMessage> kept = retainer.reconcile(clone(done), new TestContext<>(clone(done), client));
        long delay = kept.getScheduleDelay().orElseThrow();
        assertTrue(delay > 59 * 60_000 && delay <= 60 * 60_000 + 1000, "looked at again when its hour is up: " + delay);
        assertNotNull(stored("solo"));

        ClaudeMessage old = stored("solo");
        old.getStatus().setCompletedAt("2000-01-01T00:00:00Z");
        retainer.reconcile(old, new TestContext<>(old, client));
        ClaudeMessage deleting = stored("solo");
        assertNotNull(deleting.getMetadata().getDeletionTimestamp(), "deleted (its finalizer holds it for the history)");
        retainer.reconcile(deleting, new TestContext<>(deleting, client));
        assertEquals(0, history.length(key), "a one-shot message's history goes with it");
        assertNull(stored("solo"));

        // without a TTL, nothing is ever deleted
        assertTrue(Retention.untilExpiry(done.getStatus(), java.util.Optional.empty(), java.time.Instant.now()).isEmpty());
    }

    /** Redis recorded the run, the status write was lost, then the Job went: Succeeded from what Redis kept. */
    @Test
    void aLostStatusWriteIsRebuiltFromRedisWhenTheJobIsGone() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job finished = finishedWithLog(running.getStatus().getJobName(), fixture("text"));
        reconcile(clone(running), finished);
        ClaudeMessage first = stored("solo");
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty(),
                "the operator deletes the Job once the outcome is recorded and stated");

        ClaudeMessage lost = StatusWriter.write(client, first, running.getStatus()); // the Succeeded write never landed
        reconcile(lost); // and no Job in the cache any more

        ClaudeMessage rebuilt = stored("solo");
        assertEquals(MessagePhase.Succeeded, rebuilt.getStatus().getPhase());
        assertEquals(Reasons.SUCCEEDED, succeeded(rebuilt).getReason());
        assertEquals(first.getStatus().getResult(), rebuilt.getStatus().getResult());
        assertEquals(first.getStatus().getCostUsd(), rebuilt.getStatus().getCostUsd());
        assertEquals(first.getStatus().getSessionId(), rebuilt.getStatus().getSessionId());
        assertEquals(first.getStatus().getUsage(), rebuilt.getStatus().getUsage());
        assertEquals(1, history.recordCalls());
    }

    /**
     * A deposed leader still reconciling from its old cache: the message Running, its Job gone from that cache (the
     * TTL controller deleted it after the new leader recorded the run). Its verdict would be Cancelled/JobDeleted;
     * the write is conditional on the version it read, so the Succeeded message stays Succeeded.
     */
    @Test
    void aStaleCopyCannotRegressATerminalPhase() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        reconcile(clone(running), finishedWithLog(running.getStatus().getJobName(), fixture("text")));
        ClaudeMessage succeeded = stored("solo");
        assertEquals(MessagePhase.Succeeded, succeeded.getStatus().getPhase());

        UpdateControl<ClaudeMessage> stale = reconcile(clone(running)); // no Job in its cache

        ClaudeMessage after = stored("solo");
        assertEquals(MessagePhase.Succeeded, after.getStatus().getPhase());
        assertEquals(Reasons.SUCCEEDED, succeeded(after).getReason());
        assertEquals(succeeded.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion(), "not written");
        assertEquals(Optional.of(ClaudeMessageReconciler.STALE_RETRY.toMillis()), stale.getScheduleDelay(),
                "the stale reconcile stops and looks again");
    }

    /**
     * The prompt goes to the pod in the message's own ConfigMap, created before the Job and named in its pod template
     * by the prompt's hash; the Job holds no prompt; the history takes the prompt from the ConfigMap.
     */
    @Test
    void thePromptIsTheMessagesConfigMapMadeBeforeTheJobAndTheHistoryReadsItBack() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(running.getStatus().getJobName()).get();
        assertFalse(client.getKubernetesSerialization().asJson(job).contains("Hello solo"), "no prompt in the Job");
        String name = JobSpecBuilder.promptConfigMapName(job).orElseThrow();
        assertEquals(PromptConfigMap.name(job.getMetadata().getName(), "Hello solo"), name);
        ConfigMap prompt = client.configMaps().inNamespace(NS).withName(name).get();
        assertEquals(Map.of(PromptConfigMap.KEY, "Hello solo"), prompt.getData());
        assertEquals(true, prompt.getImmutable());
        assertEquals(running.getMetadata().getUid(), prompt.getMetadata().getOwnerReferences().get(0).getUid());

        reconcile(clone(running), finishedWithLog(job.getMetadata().getName(), fixture("text")));
        assertEquals(MessagePhase.Succeeded, stored("solo").getStatus().getPhase());
        assertEquals("Hello solo", history.history(ConversationKey.oneShot(running), 0, 1).get(0).content());
        assertTrue(Harness.events(client, NS, "solo").stream().noneMatch(e -> Reasons.PROMPT_UNVERIFIED.equals(e.getReason())));
    }

    /**
     * Someone with rights on the namespace's ConfigMaps replaced the prompt's ConfigMap while the run went on (another
     * text, an owner reference copied): the history does not take the new text for what ran, and an Event says so.
     */
    @Test
    void aReplacedPromptConfigMapIsNotBelievedAndTheTurnIsRecordedWithoutIt() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(running.getStatus().getJobName()).get();
        String name = JobSpecBuilder.promptConfigMapName(job).orElseThrow();
        ConfigMap original = client.configMaps().inNamespace(NS).withName(name).get();
        client.resource(original).delete();
        client.resource(new ConfigMapBuilder(original).editMetadata().withResourceVersion(null).withUid(null).endMetadata()
                .withData(Map.of(PromptConfigMap.KEY, "Something I never asked")).build()).create();

        reconcile(clone(running), finishedWithLog(job.getMetadata().getName(), fixture("text")));

        assertEquals(MessagePhase.Succeeded, stored("solo").getStatus().getPhase(), "the run's outcome stands");
        var entries = history.history(ConversationKey.oneShot(running), 0, -1);
        assertEquals(2, entries.size());
        assertNull(entries.get(0).content(), "no prompt rather than a forged one");
        assertTrue(Harness.events(client, NS, "solo").stream().anyMatch(e -> Reasons.PROMPT_UNVERIFIED.equals(e.getReason())
                && "Warning".equals(e.getType())));
    }

    /**
     * A prompt file of a megabyte of {@code {} (a ConfigMap holds 1 MiB) renders past the default cap
     * ({@code cso.limits.max-prompt-bytes}, 512 KiB): the message fails PromptTooLarge, nothing is created.
     */
    @Test
    void aMegabyteOfBracesFailsPromptTooLargeAndCreatesNothing() {
        secret();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("huge").endMetadata()
                .withData(Map.of("p.md", "{".repeat(1024 * 1024))).build()).create();
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName("solo").withNamespace(NS).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setPromptFrom(new dev.sessionops.claude.api.v1alpha1.PromptSource(
                new dev.sessionops.claude.api.v1alpha1.KeyRef("huge", "p.md")));

        reconcile(client.resource(m).create());

        ClaudeMessage failed = stored("solo");
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        assertEquals("PromptTooLarge", succeeded(failed).getReason());
        assertTrue(succeeded(failed).getMessage().contains("larger than 524288 bytes"), succeeded(failed).getMessage());
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
        assertEquals(List.of("huge"), client.configMaps().inNamespace(NS).list().getItems().stream()
                .map(c -> c.getMetadata().getName()).toList(), "no prompt ConfigMap either");
    }

    /** The cap is the operator's setting, and one a ConfigMap could not carry fails the start. */
    @Test
    void thePromptCapIsConfiguredWithinWhatAConfigMapHolds() {
        secret();
        OperatorConfig small = TestOperatorConfig.with("cso.defaults.credentials-secret", SECRET, "cso.limits.max-prompt-bytes", "8");
        ClaudeMessage solo = message("solo", null); // "Hello solo": 10 bytes
        MessageProblem tooLarge = org.junit.jupiter.api.Assertions.assertThrows(MessageProblem.class,
                () -> new RunPlanner(client, small).plan(solo, null));
        assertEquals("PromptTooLarge", tooLarge.reason());
        assertTrue(tooLarge.getMessage().contains("larger than 8 bytes"), tooLarge.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RunPlanner(client,
                TestOperatorConfig.with("cso.limits.max-prompt-bytes", "1048576")));
    }

    /** A ConfigMap planted under the name the prompt's would have: never mounted; the message fails, no Job. */
    @Test
    void aForeignConfigMapUnderThePromptsNameFailsTheMessageWithoutAJob() {
        secret();
        ClaudeMessage solo = message("solo", null);
        String jobName = JobNames.forMessage("solo", solo.getMetadata().getUid());
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(PromptConfigMap.name(jobName, "Hello solo")).endMetadata()
                .withData(Map.of(PromptConfigMap.KEY, "Hello solo")).build()).create(); // right text, not the message's

        reconcile(solo);

        ClaudeMessage failed = stored("solo");
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        assertEquals(Reasons.PROMPT_CONFLICT, succeeded(failed).getReason());
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
    }

    /** The namespace's quota refuses the prompt's ConfigMap: the message waits as for a refused Job, and says which. */
    @Test
    void aQuotaOnConfigMapsMakesTheMessageWaitWithoutAJob() {
        secret();
        server.expect().post().withPath("/api/v1/namespaces/" + NS + "/configmaps")
                .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("configmaps \"p\" is forbidden: exceeded quota: cms, requested: count/configmaps=1")
                        .build())
                .once();
        UpdateControl<ClaudeMessage> control = reconcile(message("solo", null));

        ClaudeMessage waiting = stored("solo");
        assertEquals(MessagePhase.Pending, waiting.getStatus().getPhase());
        assertEquals(Reasons.QUOTA_EXCEEDED, succeeded(waiting).getReason());
        assertTrue(succeeded(waiting).getMessage().contains("refused the prompt's ConfigMap"), succeeded(waiting).getMessage());
        assertTrue(client.batch().v1().jobs().inNamespace(NS).list().getItems().isEmpty());
        assertEquals(Optional.of(JobRefusal.FIRST_RETRY.toMillis()), control.getScheduleDelay());

        reconcile(stored("solo")); // the quota has room again
        assertEquals(MessagePhase.Running, stored("solo").getStatus().getPhase());
    }

    /**
     * The run's Job name (from the message's name and UID) taken by a Job the message does not control: the 409 is not
     * an earlier attempt of the run. The message fails JobConflict and the Job is left alone.
     */
    @Test
    void aJobOfTheRunsNameThatTheMessageDoesNotControlIsNeverTakenForItsRun() {
        secret();
        ClaudeMessage solo = message("solo", null);
        String name = JobNames.forMessage("solo", solo.getMetadata().getUid());
        client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName(name)
                .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR).endMetadata().build()).create();

        reconcile(stored("solo"));

        ClaudeMessage failed = stored("solo");
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        assertEquals(Reasons.JOB_CONFLICT, succeeded(failed).getReason());
        assertTrue(succeeded(failed).getMessage().contains("Job " + name + " exists but is not this message's run"),
                succeeded(failed).getMessage());
        assertNotNull(client.batch().v1().jobs().inNamespace(NS).withName(name).get(), "not the operator's to delete");
    }

    /**
     * A finished Job that names the running message among its owners, but not as its controller, with a pod and a log
     * of its own (the informer maps it to the message): it is not the run. Its log is never recorded; the run's own
     * Job being gone from the cache, the message ends as for a deleted Job.
     */
    @Test
    void aJobNamingTheMessageWithoutBeingItsRunIsNeverRecorded() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job own = client.batch().v1().jobs().inNamespace(NS).withName(running.getStatus().getJobName()).get();
        client.resource(own).delete();
        Job stranger = client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder(own).editMetadata()
                .withResourceVersion(null).withUid(null)
                .withOwnerReferences(new OwnerReferenceBuilder(own.getMetadata().getOwnerReferences().get(0))
                        .withController(false).build())
                .endMetadata().build()).create();
        Job finished = finishedWithLog(stranger.getMetadata().getName(), fixture("text"));

        reconcile(clone(running), finished);

        ClaudeMessage ended = stored("solo");
        assertNotEquals(MessagePhase.Succeeded, ended.getStatus().getPhase(), "the stranger's log is not the run's outcome");
        assertEquals(Reasons.JOB_DELETED, succeeded(ended).getReason());
        assertEquals(List.of(), history.history(ConversationKey.oneShot(running), 0, -1));
    }

    /**
     * A newer finished Job under another name that claims control of the running message (a forged controller
     * reference, with a pod and a log of its own): the run is still the Job of the run's name, which runs on. Nothing of
     * the other is recorded.
     */
    @Test
    void aNewerJobClaimingControlOfTheMessageUnderAnotherNameIsNotItsRun() throws IOException {
        secret();
        reconcile(message("solo", null));
        ClaudeMessage running = stored("solo");
        Job own = client.batch().v1().jobs().inNamespace(NS).withName(running.getStatus().getJobName()).get();
        Job forged = client.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder(own).editMetadata()
                .withName("solo-forged").withResourceVersion(null).withUid(null).endMetadata().build()).create();
        assertTrue(RunJobs.isRunOf(forged, running.getMetadata().getUid()), "its controller reference names the message");
        Job finished = finishedWithLog(forged.getMetadata().getName(), fixture("text"));
        finished.getMetadata().setCreationTimestamp("2099-01-01T00:00:00Z"); // newer than the run's, as the cache shows it

        reconciler.reconcile(clone(running), new TestContext<>(clone(running), client).with(Job.class, own, finished));

        ClaudeMessage after = stored("solo");
        assertEquals(MessagePhase.Running, after.getStatus().getPhase(), "following its own Job, which runs");
        assertEquals(own.getMetadata().getName(), after.getStatus().getJobName());
        assertEquals(List.of(), history.history(ConversationKey.oneShot(running), 0, -1));
    }

    private UpdateControl<ClaudeMessage> reconcile(ClaudeMessage message) {
        return reconciler.reconcile(message, new TestContext<>(message, client));
    }

    private UpdateControl<ClaudeMessage> reconcile(ClaudeMessage message, ClaudeSession session) {
        return reconciler.reconcile(message, new TestContext<>(message, client).with(ClaudeSession.class, session));
    }

    private UpdateControl<ClaudeMessage> reconcile(ClaudeMessage message, Job job) {
        return reconciler.reconcile(message, new TestContext<>(message, client).with(Job.class, job));
    }

    /** The Job as its informer shows it once finished, its pod, and that pod's log as the API server serves it. */
    private Job finishedWithLog(String jobName, String log) {
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(jobName).get();
        job.setStatus(new JobStatusBuilder().addNewCondition().withType("Complete").withStatus("True").endCondition()
                .build());
        String pod = jobName + "-x7k2p";
        client.pods().inNamespace(NS).resource(JobPod.of(job, pod)).create();
        // the crud mock serves no pods/log: an expectation answers that one path, the rest stays crud
        server.expect().get()
                .withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, log).always();
        return job;
    }

    /** The API server deletes a resource with a finalizer by marking it; this is the marked copy. */
    private ClaudeMessage markDeleted(ClaudeMessage message) {
        client.resource(message).delete();
        ClaudeMessage marked = stored(message.getMetadata().getName());
        assertTrue(marked.isMarkedForDeletion());
        return marked;
    }

    private ClaudeMessage message(String name, String session, String... finalizers) {
        ClaudeMessage m = new ClaudeMessage();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withFinalizers(finalizers).build());
        m.setSpec(new ClaudeMessageSpec());
        m.getSpec().setPrompt("Hello " + name);
        if (session != null) {
            m.getSpec().setSessionRef(new NameRef(session));
        }
        return client.resource(m).create();
    }

    private ClaudeSession session(String name) {
        ClaudeSession session = new ClaudeSession();
        session.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        session.setSpec(new ClaudeSessionSpec());
        session.getSpec().setCredentials(new Credentials(new NameRef(SECRET)));
        return client.resource(session).create();
    }

    private void secret() {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
                .withStringData(Map.of("ANTHROPIC_API_KEY", "sk-test")).build()).create();
    }

    private ClaudeMessage stored(String name) {
        return client.resources(ClaudeMessage.class).inNamespace(NS).withName(name).get();
    }

    private ClaudeMessage clone(ClaudeMessage message) {
        return client.getKubernetesSerialization().clone(message);
    }

    private static Condition succeeded(ClaudeMessage message) {
        return Conditions.find(message.getStatus().getConditions(), ClaudeMessageReconciler.SUCCEEDED).orElseThrow();
    }

    private static Completion completion(ClaudeMessage m) {
        return new Completion(m.getMetadata().getUid(), m.getMetadata().getName(), true, "Hello", "Hi", "claude-1",
                "2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z", 0.01, 10, 5, 0, 0, "turn-1");
    }

    /** Real CLI output (see fixtures/stream-json/README.md). */
    private static String fixture(String name) throws IOException {
        String path = "/fixtures/stream-json/" + name + ".jsonl";
        try (InputStream in = ClaudeMessageReconcilerIT.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
