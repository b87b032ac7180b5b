package dev.sessionops.claude.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.runner.PodLayout;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import dev.sessionops.claude.kube.EventRecorder;
import dev.sessionops.claude.kube.SideRequests;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.message.ClaudeMessageReconciler;
import dev.sessionops.claude.message.FullMessages;
import dev.sessionops.claude.message.JobLogs;
import dev.sessionops.claude.message.PromptConfigMap;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.message.RunPlanner;
import dev.sessionops.claude.events.PodLogStream;
import dev.sessionops.claude.testing.JobPod;
import dev.sessionops.claude.testing.FakeHistoryStore;
import dev.sessionops.claude.testing.NoLiveEvents;
import dev.sessionops.claude.testing.TestContext;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The session controller holds ClaudeMessages without their prompts and variables ({@link PromptlessMessages}): its
 * informer's cache has none, the head's run still gets the whole prompt ({@link FullMessages}), and nothing the session
 * controller writes erases a prompt in the API server, though it writes on its prompt-less copies.
 */
@EnableKubernetesMockClient(crud = true)
class PromptlessMessagesIT {
    private static final String NS = "ns";
    private static final String TEMPLATE = "Review {file} for {reader}";
    private static final Map<String, String> VARIABLES = Map.of("file", "notes.md", "reader", "Ana");

    KubernetesMockServer server;
    KubernetesClient client;

    private final FakeHistoryStore history = new FakeHistoryStore();
    private DispatchFixture fixture;

    @BeforeEach
    void fixture() {
        fixture = new DispatchFixture(client);
    }

    /** The informer of the session controller's message source, on the API server: its cache has no prompt. */
    @Test
    void theSessionControllersCacheHoldsMessagesWithoutPromptVariablesOrManagedFields() {
        fixture.session(NS, "chat");
        // its metadata as an API server's, with the field managers' entries
        ClaudeMessage created = client.resource(templated("chat-01", "chat")).edit(m -> {
            m.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kubectl")
                    .withOperation("Update").withApiVersion(m.getApiVersion()).build()));
            return m;
        });
        assertEquals(1, created.getMetadata().getManagedFields().size());
        InformerEventSourceConfiguration<ClaudeMessage> source = PromptlessMessages
                .sources(Set.of(Constants.WATCH_ALL_NAMESPACES)).get(0);
        assertEquals(PromptlessMessages.NAME, source.name());

        SharedIndexInformer<ClaudeMessage> informer = client.resources(ClaudeMessage.class).inNamespace(NS)
                .runnableInformer(0).itemStore(source.getInformerConfig().getItemStore());
        try {
            informer.run();
            String key = NS + "/chat-01";
            await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().getByKey(key) != null);
            assertPromptless(informer.getStore().getByKey(key), created);

            // an update (the message controller's status write) is stripped as the list was
            client.resources(ClaudeMessage.class).inNamespace(NS).withName("chat-01").editStatus(m -> {
                m.setStatus(new dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus());
                m.getStatus().setPhase(MessagePhase.Queued);
                return m;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().getByKey(key).getStatus() != null);
            assertPromptless(informer.getStore().getByKey(key), created);

            // finished: its outcome (the bulk of a held message) is not in this cache; how it ended is
            client.resources(ClaudeMessage.class).inNamespace(NS).withName("chat-01").editStatus(m -> {
                m.getStatus().setPhase(MessagePhase.Succeeded);
                m.getStatus().setJobName("chat-01-job");
                m.getStatus().setResult("r".repeat(4096));
                m.getStatus().setSessionId("claude-1");
                m.getStatus().setCostUsd(0.5);
                m.getStatus().setConditions(new java.util.ArrayList<>(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder()
                        .withType("Succeeded").withStatus("True").withReason("Succeeded").build())));
                return m;
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> informer.getStore().getByKey(key).getStatus().getPhase() == MessagePhase.Succeeded);
            var finished = informer.getStore().getByKey(key).getStatus();
            assertNull(finished.getResult());
            assertNull(finished.getSessionId());
            assertNull(finished.getCostUsd());
            assertEquals("chat-01-job", finished.getJobName());
            assertEquals("Succeeded", finished.getConditions().get(0).getReason());
            assertEquals(4096, stored("chat-01").getStatus().getResult().length(), "the API server's copy is whole");
        } finally {
            informer.stop();
        }
        assertEquals(TEMPLATE, stored("chat-01").getSpec().getPrompt(), "the API server's copy is whole");
        assertEquals(VARIABLES, stored("chat-01").getSpec().getVariables());
    }

    /**
     * The SDK gives every informer of one source the same store, one informer per watched namespace: watching some
     * namespaces, each gets a source (and a store) of its own, so a relist of one cannot drop another's messages.
     */
    @Test
    void eachWatchedNamespaceHasASourceWithAStoreOfItsOwn() {
        List<InformerEventSourceConfiguration<ClaudeMessage>> sources = PromptlessMessages.sources(Set.of("b", "a"));

        assertEquals(List.of("messages-a", "messages-b"), sources.stream().map(s -> s.name()).toList());
        assertEquals(Set.of("a"), sources.get(0).getInformerConfig().getNamespaces());
        assertEquals(Set.of("b"), sources.get(1).getInformerConfig().getNamespaces());
        assertNotNull(sources.get(0).getInformerConfig().getItemStore());
        assertNotSame(sources.get(0).getInformerConfig().getItemStore(), sources.get(1).getInformerConfig().getItemStore());
    }

    /**
     * A message with a templated prompt goes through its session on the session controller's prompt-less copies:
     * held Pending (a status write of the session controller), started (the prompt's ConfigMap holds the rendered
     * prompt), run and recorded by the message controller, and let go by the session. Its prompt and variables are
     * in the API server all along.
     */
    @Test
    void aMessageTheSessionHeldStartedAndSawFinishKeepsItsPromptAndVariables() throws IOException {
        ClaudeSession session = fixture.session(NS, "chat");
        session = client.resource(session).edit(s -> {
            s.getSpec().setCredentials(null); // no Secret named: the head waits (TestOperatorConfig has no default)
            return s;
        });
        templated("chat-01", "chat");
        ClaudeSessionReconciler sessions = sessionReconciler(fixture.fullMessages);
        ClaudeMessageReconciler messages = new ClaudeMessageReconciler(new RunPlanner(client, TestOperatorConfig.with()),
                history, new JobLogs(client, new PodLogStream(client)), new EventRecorder(client), TestOperatorConfig.with(),
                fixture.metrics, new NoLiveEvents(), new RunSlots(TestOperatorConfig.with(), client));

        // the session sees it first and holds it: Pending, a status write on the session's prompt-less copy
        String created = stored("chat-01").getMetadata().getResourceVersion();
        sessions.reconcile(session, context(session, stored("chat-01")));
        assertTrue(!created.equals(stored("chat-01").getMetadata().getResourceVersion()), "the session wrote the message");
        assertEquals(Reasons.CREDENTIALS_MISSING, stored("chat-01").getStatus().getConditions().get(0).getReason());
        assertWhole(stored("chat-01"));
        // the message controller adopts it (an owner reference)
        messages.reconcile(stored("chat-01"), new TestContext<>(stored("chat-01"), client).with(ClaudeSession.class, session));
        assertWhole(stored("chat-01"));

        // credentials named: the session starts it; the run's prompt is the rendered template
        session = client.resource(storedSession()).edit(s -> {
            s.getSpec().setCredentials(new Credentials(new NameRef(DispatchFixture.SECRET)));
            return s;
        });
        TestContext<ClaudeSession> starting = context(session, stored("chat-01"));
        sessions.reconcile(session, starting);
        SessionDispatcher.Start start = starting.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class)
                .orElseThrow();
        assertNull(start.head().getSpec().getPrompt(), "planned from the session's copy, which has none");
        assertEquals("Review notes.md for Ana", start.prompt().getData().get(PromptConfigMap.KEY));
        // the session created the prompt's ConfigMap beside its claim; the workflow (HeadJobDependent) creates the Job
        starting.workflow().get(HeadJobDependent.PROMPT, SideRequests.Pending.class).orElseThrow().await();
        client.resource(start.job()).create();
        assertWhole(stored("chat-01"));

        // the message controller follows the Job to its end and records the turn; the session lets it go
        Job finished = finishedWithLog(start.job().getMetadata().getName());
        for (int i = 0; i < 3 && !stored("chat-01").getStatus().getPhase().isTerminal(); i++) {
            messages.reconcile(stored("chat-01"), new TestContext<>(stored("chat-01"), client)
                    .with(ClaudeSession.class, storedSession()).with(Job.class, finished));
        }
        assertEquals(MessagePhase.Succeeded, stored("chat-01").getStatus().getPhase());
        sessions.reconcile(storedSession(), context(storedSession(), stored("chat-01")));
        assertNull(storedSession().getStatus().getActiveMessage(), "the session moved on");
        assertWhole(stored("chat-01"));
    }

    /**
     * The message controller's cache not holding the head (yet): one GET of that message, never a list; the run
     * gets the whole prompt all the same.
     */
    @Test
    void withoutTheMessageControllersCopyTheHeadIsReadOnceByName() throws Exception {
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage head = templated("chat-01", "chat");
        ClaudeSessionReconciler sessions = sessionReconciler(new FullMessages()); // nothing published
        TestContext<ClaudeSession> context = context(session, head);
        drain();

        sessions.reconcile(session, context);

        List<String> reads = drain().stream().filter(r -> r.startsWith("GET") && r.contains("claudemessages")).toList();
        assertEquals(List.of("GET /apis/" + ClaudeSession.GROUP + "/" + ClaudeSession.VERSION + "/namespaces/" + NS
                + "/claudemessages/chat-01"), reads);
        SessionDispatcher.Start start = context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class)
                .orElseThrow();
        assertEquals("Review notes.md for Ana", start.prompt().getData().get(PromptConfigMap.KEY));
    }

    /** The message controller's copy of a message that has ended meanwhile: the session's stale head is not started. */
    @Test
    void aHeadTheMessageControllerHasSeenEndIsNotStarted() {
        ClaudeSession session = fixture.session(NS, "chat");
        ClaudeMessage head = templated("chat-01", "chat");
        FullMessages ended = new FullMessages();
        ClaudeMessage whole = client.getKubernetesSerialization().clone(head);
        whole.setStatus(new dev.sessionops.claude.api.v1alpha1.ClaudeMessageStatus());
        whole.getStatus().setPhase(MessagePhase.Cancelled);
        ended.publish(id -> java.util.Optional.of(whole));
        TestContext<ClaudeSession> context = context(session, head);

        sessionReconciler(ended).reconcile(session, context);

        assertTrue(context.workflow().get(HeadJobDependent.PLANNED, SessionDispatcher.Start.class).isEmpty());
    }

    private ClaudeSessionReconciler sessionReconciler(FullMessages fullMessages) {
        return new ClaudeSessionReconciler(history, new EventRecorder(client), fixture.metrics,
                new RunPlanner(client, TestOperatorConfig.with()), fullMessages, TestOperatorConfig.with(),
                new RunSlots(TestOperatorConfig.with(), client), new SideRequests());
    }

    /** A message whose prompt is a template with variables. */
    private ClaudeMessage templated(String name, String session) {
        return fixture.message(NS, name, session, spec -> {
            spec.setPrompt(TEMPLATE);
            spec.setVariables(VARIABLES);
        });
    }

    private void assertPromptless(ClaudeMessage cached, ClaudeMessage created) {
        assertNull(cached.getSpec().getPrompt());
        assertNull(cached.getSpec().getVariables());
        assertNull(cached.getMetadata().getManagedFields());
        assertEquals("chat", cached.getSpec().getSessionRef().getName(), "what turn-taking reads stays");
        assertEquals(created.getMetadata().getUid(), cached.getMetadata().getUid());
        assertNotNull(cached.getMetadata().getResourceVersion());
    }

    /** The message in the API server: its spec as created. */
    private void assertWhole(ClaudeMessage stored) {
        ClaudeMessageSpec spec = stored.getSpec();
        assertEquals(TEMPLATE, spec.getPrompt());
        assertEquals(VARIABLES, spec.getVariables());
        assertEquals("chat", spec.getSessionRef().getName());
    }

    /** The session's informer view: these messages as its cache holds them (without prompts), no Jobs. */
    private TestContext<ClaudeSession> context(ClaudeSession session, ClaudeMessage... messages) {
        return new TestContext<>(session, client).with(ClaudeMessage.class,
                java.util.Arrays.stream(messages).map(fixture::cached).toArray(ClaudeMessage[]::new));
    }

    /** The Job as its informer shows it once finished, its pod, and that pod's log as the API server serves it. */
    private Job finishedWithLog(String jobName) throws IOException {
        Job job = client.batch().v1().jobs().inNamespace(NS).withName(jobName).get();
        job.setStatus(new JobStatusBuilder().addNewCondition().withType("Complete").withStatus("True").endCondition()
                .build());
        String pod = jobName + "-x7k2p";
        client.pods().inNamespace(NS).resource(JobPod.of(job, pod)).create();
        // the crud mock serves no pods/log: an expectation answers that one path, the rest stays crud
        server.expect().get()
                .withPath("/api/v1/namespaces/" + NS + "/pods/" + pod + "/log?container=" + PodLayout.CONTAINER)
                .andReturn(200, streamJson("text")).always();
        return job;
    }

    private ClaudeMessage stored(String name) {
        return client.resources(ClaudeMessage.class).inNamespace(NS).withName(name).get();
    }

    private ClaudeSession storedSession() {
        return client.resources(ClaudeSession.class).inNamespace(NS).withName("chat").get();
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }

    /** Real CLI output (see fixtures/stream-json/README.md). */
    private static String streamJson(String name) throws IOException {
        try (InputStream in = PromptlessMessagesIT.class.getResourceAsStream("/fixtures/stream-json/" + name + ".jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
