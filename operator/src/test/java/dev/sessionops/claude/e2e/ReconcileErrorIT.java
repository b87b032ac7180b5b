package dev.sessionops.claude.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import dev.sessionops.claude.api.v1alpha1.KeyRef;
import dev.sessionops.claude.api.v1alpha1.MessagePhase;
import dev.sessionops.claude.api.v1alpha1.PromptSource;
import dev.sessionops.claude.kube.ReconcileErrors;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An unexpected error in a reconcile (here the API server refusing the prompt ConfigMap's GET, 403) is not a
 * silent status: the message gets a ReconcileError condition and a Warning Event naming the error, the SDK retries,
 * and once the API server answers again the message runs and the condition is gone.
 */
@QuarkusTest
class ReconcileErrorIT extends EndToEndTest {

    @Test
    void anUnexpectedErrorIsAConditionAndAnEventUntilAReconcileSucceeds() {
        String ns = Harness.namespace(client, "errors");
        server.expect().get().withPath("/api/v1/namespaces/" + ns + "/configmaps/prompt")
                .andReturn(403, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 403,
                        "reason", "Forbidden", "message", "configmaps \"prompt\" is forbidden: a webhook said no"))
                .times(3);
        Harness.message(client, ns, "solo", null, null,
                s -> s.setPromptFrom(new PromptSource(new KeyRef("prompt", "text"))));

        Condition error = await().atMost(Duration.ofSeconds(30)).until(() -> condition(ns), Optional::isPresent).get();
        assertEquals("True", error.getStatus());
        assertEquals(ReconcileErrors.REASON, error.getReason());
        assertTrue(error.getMessage().contains("403") || error.getMessage().contains("forbidden"), error.getMessage());
        assertTrue(error.getMessage().length() <= 1024, error.getMessage());
        await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> ReconcileErrors.REASON.equals(e.getReason()) && "Warning".equals(e.getType())));

        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("prompt").endMetadata()
                .addToData("text", "Hello after the outage").build()).create();
        ClaudeMessage done = Harness.awaitPhase(client, ns, "solo", MessagePhase.Succeeded);
        assertTrue(done.getStatus().getConditions().stream().noneMatch(c -> ReconcileErrors.TYPE.equals(c.getType())),
                done.getStatus().getConditions().toString());
    }

    private Optional<Condition> condition(String ns) {
        ClaudeMessage m = Harness.get(client, ns, "solo");
        return m == null || m.getStatus() == null || m.getStatus().getConditions() == null ? Optional.empty()
                : m.getStatus().getConditions().stream().filter(c -> ReconcileErrors.TYPE.equals(c.getType())).findFirst();
    }
}
