package dev.sessionops.claude.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.api.v1alpha1.ClaudeMessage;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator's client reads and writes objects without metadata.managedFields (kube.WithoutManagedFields), and reads
 * each short string once per value (kube.SharedStrings).
 */
@QuarkusTest
class ManagedFieldsIT extends EndToEndTest {

    @Test
    void theOperatorsClientDropsManagedFieldsBothWays() {
        String json = """
                {"apiVersion":"claude.sessionops.dev/v1alpha1","kind":"ClaudeMessage",
                 "metadata":{"name":"with-fields","namespace":"mf","uid":"u-1","resourceVersion":"7","labels":{"a":"b"},
                  "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"claude.sessionops.dev/v1alpha1",
                   "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:prompt":{}}}}]},
                 "spec":{"prompt":"Hello"}}""";
        server.expect().get().withPath("/apis/claude.sessionops.dev/v1alpha1/namespaces/mf/claudemessages/with-fields")
                .andReturn(200, json).once();

        ClaudeMessage read = client.resources(ClaudeMessage.class).inNamespace("mf").withName("with-fields").get();

        assertTrue(read.getMetadata().getManagedFields() == null || read.getMetadata().getManagedFields().isEmpty(),
                "not read: " + read.getMetadata().getManagedFields());
        assertEquals(Map.of("a", "b"), read.getMetadata().getLabels(), "the rest of metadata is");
        assertEquals("7", read.getMetadata().getResourceVersion());
        assertEquals("Hello", read.getSpec().getPrompt());
        assertFalse(read.getMetadata().getAdditionalProperties().containsKey("managedFields"), "not kept aside either");

        read.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("x").build()));
        String written = client.getKubernetesSerialization().asJson(read);
        assertFalse(written.contains("managedFields"), written);
        assertTrue(written.contains("\"with-fields\""), written);
    }

    @Test
    void twoReadsOfOneObjectShareTheirShortStringsNotTheirLongOnes() {
        String prompt = "p".repeat(300);
        String json = """
                {"apiVersion":"claude.sessionops.dev/v1alpha1","kind":"ClaudeMessage",
                 "metadata":{"name":"twice","namespace":"ss","uid":"u-twice-1","resourceVersion":"9",
                  "labels":{"app.kubernetes.io/name":"claude-session-operator"}},
                 "spec":{"prompt":"%s","sessionRef":{"name":"chat"}}}""".formatted(prompt);
        server.expect().get().withPath("/apis/claude.sessionops.dev/v1alpha1/namespaces/ss/claudemessages/twice")
                .andReturn(200, json).times(2);

        ClaudeMessage one = client.resources(ClaudeMessage.class).inNamespace("ss").withName("twice").get();
        ClaudeMessage two = client.resources(ClaudeMessage.class).inNamespace("ss").withName("twice").get();

        assertSame(one.getMetadata().getUid(), two.getMetadata().getUid());
        assertSame(one.getMetadata().getNamespace(), two.getMetadata().getNamespace());
        assertSame(one.getMetadata().getLabels().get("app.kubernetes.io/name"),
                two.getMetadata().getLabels().get("app.kubernetes.io/name"), "a label's value too");
        assertSame(one.getSpec().getSessionRef().getName(), two.getSpec().getSessionRef().getName());
        assertEquals(prompt, two.getSpec().getPrompt());
        assertNotSame(one.getSpec().getPrompt(), two.getSpec().getPrompt(), "a long text is its object's own");
    }
}
