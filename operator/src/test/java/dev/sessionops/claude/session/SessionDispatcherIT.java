package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.message.JobSpecBuilder;
import dev.sessionops.claude.message.Reasons;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** What starting the head does on the API server: the Job, or the reason on the message when it cannot start. */
@EnableKubernetesMockClient(crud = true)
class SessionDispatcherIT {
    KubernetesClient client;

    @Test
    void theJobCarriesTheSessionsNameAndASecondCreateIsTheSameRun() {
        DispatchFixture fixture = new DispatchFixture(client);
        fixture.secret("ns");
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> {
        });
        SessionDispatcher dispatcher = fixture.dispatcher();
        assertNull(dispatcher.start(session, head, client, job -> client.resource(job).create()));
        // a lost cache entry or a new leader: the deterministic name makes the create a 409, not a second run
        assertNull(dispatcher.start(session, head, client, job -> client.resource(job).create()));

        List<Job> jobs = client.batch().v1().jobs().inNamespace("ns").list().getItems();
        assertEquals(1, jobs.size());
        assertEquals("chat", jobs.get(0).getMetadata().getAnnotations().get(JobSpecBuilder.SESSION_ANNOTATION));
        assertEquals(1, events("chat-01").stream().filter(e -> Reasons.JOB_CREATED.equals(e.getReason())).count());
    }

    @Test
    void missingCredentialsHoldTheHeadPendingAndTheSessionLooksAgain() {
        DispatchFixture fixture = new DispatchFixture(client);
        ClaudeSession session = fixture.session("ns", "chat"); // no Secret
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> {
        });
        assertEquals(SessionDispatcher.RECHECK, fixture.dispatcher().start(session, head, client, job -> {
            throw new AssertionError("no Job without credentials");
        }));
        ClaudeMessage held = client.resources(ClaudeMessage.class).inNamespace("ns").withName("chat-01").get();
        assertEquals(MessagePhase.Pending, held.getStatus().getPhase());
        assertEquals(Reasons.CREDENTIALS_MISSING, held.getStatus().getConditions().get(0).getReason());
        assertTrue(events("chat-01").stream().anyMatch(e -> "Warning".equals(e.getType())));
    }

    @Test
    void inputsThatBecameInvalidFailTheHeadSoTheQueueMovesOn() {
        DispatchFixture fixture = new DispatchFixture(client);
        fixture.secret("ns");
        ClaudeSession session = fixture.session("ns", "chat");
        ClaudeMessage head = fixture.message("ns", "chat-01", "chat", s -> s.setEffort("extreme"));
        assertNull(fixture.dispatcher().start(session, head, client, job -> {
            throw new AssertionError("no Job for invalid inputs");
        }));
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
