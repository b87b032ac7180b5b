package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.awaitReason;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;


import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.testing.FakeAnthropicApiResource;
import dev.sessionops.claude.testing.RedisTestResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.quarkus.test.junit.QuarkusTest;

/** Prompt files with front matter and variables; Redis going away while a message runs. */
@QuarkusTest
class PromptAndHistoryIT extends EndToEndTest {
    @Inject
    Operator operator;

    @Test
    void promptFileFrontMatterAndVariablesShapeTheRun() {
        String ns = Harness.namespace(client, "promptfile");
        Harness.session(client, ns, "review", s -> s.setModel("haiku"));
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("prompts").endMetadata()
                .withData(Map.of("review.md", """
                        ---
                        model: opus
                        maxTurns: 5
                        variables:
                          focus: tests
                        ---
                        Review with a focus on {focus} in {area.name}, not \\{literal}.
                        """)).build()).create();
        message(client, ns, "review-01", "review", null, m -> {
            m.setPromptFrom(new PromptSource(new KeyRef("prompts", "review.md")));
            m.setVariables(Map.of("focus", "error handling", "area.name", "payments"));
            m.setModel("sonnet");
        });
        ClaudeMessage done = awaitPhase(client, ns, "review-01", MessagePhase.Succeeded);
        ContainerRun run = kubelet.runs(ns, done.getStatus().getJobName()).stream().filter(r -> !r.isInitContainer())
                .findFirst().orElseThrow();
        String expected = "Review with a focus on error handling in payments, not {literal}.";
        assertEquals(expected, Harness.promptOf(run).strip());
        assertTrue(run.argv().contains("--model=sonnet"), "the manifest wins over front matter and session: " + run.argv());
        assertTrue(run.argv().contains("--max-turns=5"), "front matter wins over defaults: " + run.argv());
        var entries = history.history(Harness.conversation(client, ns, "review"), 0, -1);
        assertEquals(expected, entries.get(0).content().strip());
    }

    /**
     * A prompt of 200 KiB, from a variable (past the 128 KiB one argument could carry): it goes by the prompt's
     * ConfigMap, the real CLI gets it whole on its stdin, the history records it exactly, and neither the Job nor
     * the CLI's command line holds it.
     */
    @Test
    void aPromptOf200KiBFromAVariableRunsByFileAndIsInNoJobSpec() {
        String ns = Harness.namespace(client, "bigprompt");
        Harness.session(client, ns, "big", s -> {
        });
        String marker = "marker-" + ns;
        StringBuilder document = new StringBuilder(marker).append(" $(ANTHROPIC_API_KEY) `id` --help\n");
        for (int line = 0; document.length() < 200 * 1024; line++) {
            document.append("line ").append(line).append(": é ü 漢字 {not a variable} \\{x}\n");
        }
        String doc = document.toString();
        long start = System.nanoTime();
        message(client, ns, "big-01", "big", "Summarise this:\n{doc}", m -> m.setVariables(Map.of("doc", doc)));
        ClaudeMessage done = awaitPhase(client, ns, "big-01", MessagePhase.Succeeded);
        long took = (System.nanoTime() - start) / 1_000_000;

        String expected = "Summarise this:\n" + doc;
        assertTrue(expected.getBytes(StandardCharsets.UTF_8).length >= 200 * 1024);
        ContainerRun run = kubelet.runs(ns, done.getStatus().getJobName()).stream().filter(r -> !r.isInitContainer())
                .findFirst().orElseThrow();
        assertEquals(expected, Harness.promptOf(run), "the file the CLI read");
        assertTrue(run.argv().stream().noneMatch(a -> a.contains(marker)), "no argument holds it");
        assertEquals(expected, FakeAnthropicApiResource.api().messageRequests().stream()
                .filter(r -> r.lastUserText() != null && r.lastUserText().contains(marker)).findFirst().orElseThrow()
                .lastUserText(), "the model API got all of it");
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(done.getStatus().getJobName()).get();
        assertFalse(Serialization.asJson(job).contains(marker), "not in the Job");
        var entries = history.history(Harness.conversation(client, ns, "big"), 0, -1);
        assertEquals(expected, entries.get(0).content(), "the history has the prompt as run");
        assertTrue(done.getStatus().getResult().startsWith("Received 1 messages. Last: Summarise this:\n" + marker),
                done.getStatus().getResult());
        assertEquals(true, done.getStatus().getResultTruncated(), "the reply quotes all of it: past the status' cut");
        System.out.printf("a %d-byte prompt ran end to end in %d ms%n", expected.getBytes(StandardCharsets.UTF_8).length, took);

        // held once: the session controller's cache has the message without its prompt and variables, the message
        // controller's whole; and nothing the operator wrote on it took them from the API server
        ClaudeMessage cached = cachedBy("claudesession", ns, "big-01");
        assertNull(cached.getSpec().getPrompt());
        assertNull(cached.getSpec().getVariables());
        assertEquals(doc, cachedBy("claudemessage", ns, "big-01").getSpec().getVariables().get("doc"));
        assertEquals("Summarise this:\n{doc}", done.getSpec().getPrompt());
        assertEquals(Map.of("doc", doc), done.getSpec().getVariables());
    }

    /** The message as the named controller's cache holds it (the session's message sources, the message's primary). */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private ClaudeMessage cachedBy(String controllerName, String ns, String name) {
        Controller controller = (Controller) operator.getRegisteredController(controllerName).orElseThrow();
        ResourceID id = new ResourceID(name, ns);
        List<EventSource> sources = controllerName.equals("claudemessage")
                ? List.of(controller.getEventSourceManager().getControllerEventSource())
                : controller.getEventSourceManager().getEventSourcesFor(ClaudeMessage.class);
        return sources.stream().map(s -> ((Cache<ClaudeMessage>) s).get(id)).flatMap(o -> ((java.util.Optional<ClaudeMessage>) o).stream())
                .findFirst().orElseThrow();
    }

    @Test
    void redisOutageDelaysRecordingButLosesAndDuplicatesNothing() {
        String ns = Harness.namespace(client, "outage");
        Harness.session(client, ns, "flaky", s -> {
        });
        message(client, ns, "flaky-01", "flaky", "[[sleep 3000]] Slow answer");
        await().atMost(Duration.ofSeconds(60)).until(() -> Harness.get(client, ns, "flaky-01").getStatus() != null
                && Harness.get(client, ns, "flaky-01").getStatus().getPhase() == MessagePhase.Running);
        RedisTestResource.redis().stop();
        try {
            ClaudeMessage stuck = awaitReason(client, ns, "flaky-01", "HistoryStoreUnavailable");
            assertEquals(MessagePhase.Running, stuck.getStatus().getPhase());
            assertTrue(Harness.events(client, ns, "flaky-01").stream()
                    .anyMatch(e -> "HistoryStoreUnavailable".equals(e.getReason())));
        } finally {
            RedisTestResource.redis().start();
        }
        ClaudeMessage done = awaitPhase(client, ns, "flaky-01", MessagePhase.Succeeded);
        assertEquals(List.of("user", "assistant"), history.history(Harness.conversation(client, ns, "flaky"), 0, -1)
                .stream().map(e -> e.role()).toList());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var session = Harness.getSession(client, ns, "flaky");
            assertEquals(1, session.getStatus().getMessageCount());
            assertEquals(done.getStatus().getSessionId(), session.getStatus().getCurrentSessionId());
        });
    }
}
