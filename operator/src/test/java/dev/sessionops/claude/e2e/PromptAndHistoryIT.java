package dev.sessionops.claude.e2e;

import static dev.sessionops.claude.e2e.Harness.awaitPhase;
import static dev.sessionops.claude.e2e.Harness.awaitReason;
import static dev.sessionops.claude.e2e.Harness.message;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;


import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.history.ConversationKey;
import dev.sessionops.claude.local.ContainerRun;
import dev.sessionops.claude.testing.RedisTestResource;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.quarkus.test.junit.QuarkusTest;

/** Prompt files with front matter and variables; Redis going away while a message runs. */
@QuarkusTest
class PromptAndHistoryIT extends EndToEndTest {

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
