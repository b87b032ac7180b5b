package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.limits.RunSlots;
import dev.sessionops.claude.message.Reasons;
import dev.sessionops.claude.testing.TestOperatorConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** What planning the head gives: its Job, or the reason on the message (and an Event) when it cannot start. */
@EnableKubernetesMockClient(crud = true)
class SessionDispatcherIT {
    /** A prompt from a ConfigMap that is not there (yet): an input the head waits for. */
    private static final java.util.function.Consumer<dev.sessionops.claude.api.v1alpha1.ClaudeMessageSpec> FROM_MISSING_CONFIG_MAP = m -> {
        m.setPrompt(null);
        m.setPromptFrom(new dev.sessionops.claude.api.v1alpha1.PromptSource(
                new dev.sessionops.claude.api.v1alpha1.KeyRef("team-prompts", "review.md")));
    };

    KubernetesClient client;

    @Test
    void theJobCarriesTheSessionsNameAndIsNamedAfterItsMessage() {
        DispatchFixture fixture = new DispatchFixture(client);
        fixture.secret("ns");
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> {
        });
        SessionDispatcher dispatcher = fixture.dispatcher();
        SessionDispatcher.Plan first = dispatcher.plan(session, head, client);
        // a lost cache entry or a new leader plans again: the same name, so the create is a 409, not a second run
        SessionDispatcher.Plan again = dispatcher.plan(session, head, client);

        assertNull(first.recheck());
        Job job = first.start().job();
        assertEquals(job.getMetadata().getName(), again.start().job().getMetadata().getName());
        assertEquals("chat", job.getMetadata().getAnnotations().get(JobSpecBuilder.SESSION_ANNOTATION));
        assertEquals(head.getMetadata().getUid(), job.getMetadata().getOwnerReferences().get(0).getUid());
        assertNull(first.start().resumeFrom());
        assertEquals(List.of(), client.batch().v1().jobs().inNamespace("ns").list().getItems(), "planning creates nothing");
    }

    /**
     * Every run slot taken (cso.limits.max-running): the head waits Queued/ConcurrencyLimit, said once, and the session
     * is woken (not polled) when a slot is its head's; then it starts.
     */
    @Test
    void aHeadWaitsForARunSlotAndStartsWhenOneIsItsTurn() {
        DispatchFixture fixture = new DispatchFixture(client);
        RunSlots slots = new RunSlots(TestOperatorConfig.with("cso.limits.max-running", "1"), client);
        List<String> woken = new java.util.ArrayList<>();
        slots.onGrant(c -> woken.add(c.namespace() + "/" + c.owner()));
        assertTrue(slots.acquire(new RunSlots.Candidate("other", "elsewhere", true, "uid-elsewhere")).granted());
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> {
        });
        SessionDispatcher dispatcher = fixture.dispatcher(slots);

        SessionDispatcher.Plan plan = dispatcher.plan(session, head, client);
        assertNull(plan.start(), "no slot");
        assertNull(plan.recheck(), "woken by the slot, not by a timer");
        ClaudeMessage waiting = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Queued, waiting.getStatus().getPhase());
        assertEquals(Reasons.CONCURRENCY_LIMIT, waiting.getStatus().getConditions().get(0).getReason());
        assertTrue(waiting.getStatus().getConditions().get(0).getMessage().contains("number 1 in its namespace's line"),
                waiting.getStatus().getConditions().get(0).getMessage());
        dispatcher.plan(session, waiting, client);
        assertEquals(waiting.getMetadata().getResourceVersion(), client.resources(ClaudeMessage.class).inNamespace("ns")
                .withName("chat-01").get().getMetadata().getResourceVersion(), "asked again: no status write");

        slots.release("uid-elsewhere");
        assertEquals(List.of("ns/chat"), woken, "the session is woken for its head");
        assertNotNull(dispatcher.plan(session, waiting, client).start());
    }

    @Test
    void missingInputsHoldTheHeadPendingAndTheSessionLooksAgain() {
        DispatchFixture fixture = new DispatchFixture(client);
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", FROM_MISSING_CONFIG_MAP);
        SessionDispatcher.Plan plan = fixture.dispatcher().plan(session, head, client);
        assertNull(plan.start(), "no Job without its prompt");
        assertEquals(SessionDispatcher.RECHECK, plan.recheck());
        ClaudeMessage held = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Pending, held.getStatus().getPhase());
        assertEquals(Reasons.CONFIG_MAP_NOT_FOUND, held.getStatus().getConditions().get(0).getReason());
        assertTrue(events("chat-01").stream().anyMatch(e -> "Warning".equals(e.getType())));
    }

    @Test
    void aHeadWaitingForItsInputsLongerThanThePendingTimeoutFailsSoTheQueueMovesOn() {
        DispatchFixture fixture = new DispatchFixture(client);
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", FROM_MISSING_CONFIG_MAP); // so it waits
        fixture.dispatcher().plan(session, head, client);
        ClaudeMessage waiting = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Pending, waiting.getStatus().getPhase());
        String since = waiting.getStatus().getWaitingSince();
        assertNotNull(since);

        // looked at again within the timeout: still waiting, since the same moment
        fixture.dispatcher().plan(session, waiting, client);
        assertEquals(since, client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get().getStatus()
                .getWaitingSince());

        // eleven minutes later (cso.pending-timeout is 10m)
        ClaudeMessage stale = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").editStatus(m -> {
            m.getStatus().setWaitingSince(Instant.now().minus(Duration.ofMinutes(11)).toString());
            return m;
        });
        SessionDispatcher.Plan plan = fixture.dispatcher().plan(session, stale, client);
        assertNull(plan.start());
        assertNull(plan.recheck(), "a failed head is not looked at again");
        ClaudeMessage failed = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        assertEquals(Reasons.PENDING_TIMEOUT, failed.getStatus().getConditions().get(0).getReason());
        assertTrue(failed.getStatus().getConditions().get(0).getMessage().contains("team-prompts"),
                failed.getStatus().getConditions().get(0).getMessage());
        assertNull(failed.getStatus().getWaitingSince());
    }

    @Test
    void inputsThatBecameInvalidFailTheHeadSoTheQueueMovesOn() {
        DispatchFixture fixture = new DispatchFixture(client);
        fixture.secret("ns");
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> s.setEffort("extreme"));
        SessionDispatcher.Plan plan = fixture.dispatcher().plan(session, head, client);
        assertNull(plan.start(), "no Job for invalid inputs");
        assertNull(plan.recheck(), "a failed head is not looked at again");
        ClaudeMessage failed = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Failed, failed.getStatus().getPhase());
        assertEquals(Reasons.INVALID_EFFORT, failed.getStatus().getConditions().get(0).getReason());
        assertEquals(List.of(), client.batch().v1().jobs().inNamespace("ns").list().getItems());
    }

    private List<Event> events(String involved) {
        return client.v1().events().inNamespace("ns").list().getItems().stream()
                .filter(e -> involved.equals(e.getInvolvedObject().getName())).toList();
    }
}
