package dev.sessionops.claude.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.testing.RecordedRequests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * One dispatch (the session reconciler deciding from its caches and starting the head of its queue) costs the same
 * requests at the Fabric8 mock API server whether the namespace holds 1 or 500 other messages: no LIST, nothing per
 * queued message. The requests are counted at the server, exactly, for the dispatch alone.
 */
@EnableKubernetesMockClient(crud = true)
class DispatchRequestCountIT {
    KubernetesMockServer server;
    KubernetesClient client;

    private DispatchFixture fixture;

    @Test
    void oneDispatchCostsTheSameWithOneOrFiveHundredOtherMessagesInTheNamespace() throws Exception {
        fixture = new DispatchFixture(client);
        List<String> withOne = dispatchAmong("one", 1);
        List<String> withMany = dispatchAmong("many", 500);

        assertEquals(withOne.size(), withMany.size(), withOne + " vs " + withMany);
        assertEquals(withOne, withMany.stream().map(r -> r.replace("/many", "/one")).toList());
        // what it is: the namespace's own limits (its annotations, read once for the planner and the run slots, then
        // kept 30 s) and the Job (HeadJobDependent adds its Event); no Secret is read
        assertEquals(List.of("GET /api/v1/namespaces/one", "POST /apis/batch/v1/namespaces/one/jobs"), withOne);
    }

    /** The requests of one dispatch in a namespace holding the session's head and {@code others} more messages. */
    private List<String> dispatchAmong(String ns, int others) throws Exception {
        fixture.secret(ns);
        ClaudeSession session = fixture.session(ns, "chat");
        List<ClaudeMessage> queue = new ArrayList<>();
        // as the session's cache holds them: without their prompts (the fixture's stands for the message controller's)
        queue.add(fixture.cached(message(ns, "chat-0000", "chat")));
        for (int i = 1; i <= others; i++) {
            // half queued behind the head in the same session, half in other conversations of the namespace
            ClaudeMessage m = message(ns, String.format("chat-%04d", i), i % 2 == 0 ? "chat" : null);
            if (i % 2 == 0) {
                queue.add(fixture.cached(m));
            }
        }
        drain();
        int before = server.getRequestCount();

        // the session reconciler's dispatch, on what its caches hold
        SessionDispatch.Decision decision = SessionDispatch.next(false, null, queue, List.of());
        assertNotNull(decision.start(), decision.hold());
        assertEquals("chat-0000", decision.start().getMetadata().getName());
        SessionDispatcher.Plan plan = fixture.dispatcher().plan(session, decision.start(), client);
        assertNull(plan.recheck(), "started");
        client.resource(plan.start().job()).create(); // what the session's workflow (HeadJobDependent) does with it

        List<String> requests = drain();
        assertEquals(server.getRequestCount() - before, requests.size());
        assertEquals(1, client.batch().v1().jobs().inNamespace(ns).list().getItems().size());
        assertTrue(requests.stream().noneMatch(r -> r.matches("GET .*/(claudemessages|jobs)(\\?.*)?")), "no LIST: " + requests);
        return requests;
    }

    private ClaudeMessage message(String ns, String name, String session) {
        return fixture.message(ns, name, session, spec -> {
        });
    }

    private List<String> drain() throws InterruptedException {
        return RecordedRequests.drain(server);
    }
}
