package dev.sessionops.claude.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Writes of our kinds checked against the shipped CRDs' schemas, as the kube-apiserver would; and the OpenAPI kubectl reads. */
class ValidatedWritesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CustomResources CRDS = crds();
    private static final CustomResources.Resource SESSIONS = CRDS
            .forPath("/apis/claude.sessionops.dev/v1alpha1/namespaces/default/claudesessions").orElseThrow().resource();
    private static final CustomResources.Resource MESSAGES = CRDS
            .forPath("/apis/claude.sessionops.dev/v1alpha1/namespaces/default/claudemessages").orElseThrow().resource();

    @Test
    void aValidObjectPassesAndUndeclaredFieldsFollowFieldValidation() throws Exception {
        JsonNode ok = JSON.readTree("""
                {"apiVersion":"claude.sessionops.dev/v1alpha1","kind":"ClaudeSession","metadata":{"name":"demo"},
                 "spec":{"permissionMode":"acceptEdits","maxTurns":3,"maxBudgetUsd":0.5,"onFailure":"keep",
                  "env":[{"name":"A","value":"b"}],"resources":{"limits":{"cpu":"1","memory":2147483648}}}}""");
        assertEquals(new ValidatedWrites.Verdict.Allow(List.of()), ValidatedWrites.check(SESSIONS, null, ok, "Strict"));

        JsonNode extra = JSON.readTree("{\"metadata\":{\"name\":\"demo\"},\"spec\":{\"permisionMode\":\"plan\","
                + "\"env\":[{\"name\":\"A\",\"vlaue\":\"b\"}]},\"extra\":1}");
        var strict = assertInstanceOf(ValidatedWrites.Verdict.Refuse.class, ValidatedWrites.check(SESSIONS, null, extra, "Strict"));
        assertEquals(400, strict.code());
        assertTrue(strict.status().contains("strict decoding error: unknown field \\\"spec.permisionMode\\\", "
                + "unknown field \\\"spec.env[0].vlaue\\\", unknown field \\\"extra\\\""), strict.status());
        var warn = assertInstanceOf(ValidatedWrites.Verdict.Allow.class, ValidatedWrites.check(SESSIONS, null, extra, null));
        assertEquals(3, warn.warnings().size(), "Warn is the default: " + warn);
        assertEquals("299 - \"unknown field \\\"spec.x\\\"\"", ValidatedWrites.warningHeader("unknown field \"spec.x\""));
        assertEquals(List.of(), ((ValidatedWrites.Verdict.Allow) ValidatedWrites.check(SESSIONS, null, extra, "Ignore")).warnings());
        assertEquals(400, ((ValidatedWrites.Verdict.Refuse) ValidatedWrites.check(SESSIONS, null, ok, "Loose")).code());
    }

    @Test
    void schemaViolationsAre422WithTheFieldErrors() throws Exception {
        JsonNode bad = JSON.readTree("""
                {"metadata":{"name":"bad"},"spec":{"permissionMode":"yolo","maxTurns":0,"maxBudgetUsd":0,
                 "suspend":"yes","resetConversation":"%s","tolerations":{"a":1}}}""".formatted("x".repeat(65)));
        var refused = assertInstanceOf(ValidatedWrites.Verdict.Refuse.class, ValidatedWrites.check(SESSIONS, null, bad, "Strict"));
        assertEquals(422, refused.code());
        JsonNode status = JSON.readTree(refused.status());
        assertEquals("Invalid", status.get("reason").asText());
        assertEquals("bad", status.at("/details/name").asText());
        assertEquals("ClaudeSession", status.at("/details/kind").asText());
        String message = status.get("message").asText();
        assertTrue(message.startsWith("ClaudeSession.claude.sessionops.dev \"bad\" is invalid: ["), message);
        for (String expected : List.of("spec.permissionMode: Invalid value: \"yolo\"",
                "spec.maxTurns: Invalid value: 0: spec.maxTurns in body should be greater than or equal to 1",
                "spec.maxBudgetUsd: Invalid value: 0: spec.maxBudgetUsd in body should be greater than 0",
                "spec.suspend: Invalid value: \"string\": spec.suspend in body must be of type boolean",
                "spec.tolerations: Invalid value: \"object\": spec.tolerations in body must be of type array")) {
            assertTrue(message.contains(expected), expected + " in " + message);
        }
        assertTrue(status.at("/details/causes").size() >= 6, status.toString());

        JsonNode noName = JSON.readTree("{\"metadata\":{\"name\":\"m\"},\"spec\":{\"prompt\":\"hi\",\"sessionRef\":{}}}");
        var required = (ValidatedWrites.Verdict.Refuse) ValidatedWrites.check(MESSAGES, "m", noName, "Strict");
        assertTrue(required.status().contains("spec.sessionRef.name: Required value"), required.status());
        var noSpec = (ValidatedWrites.Verdict.Refuse) ValidatedWrites.check(MESSAGES, "m", JSON.readTree("{}"), "Strict");
        assertTrue(noSpec.status().contains("spec: Required value"), noSpec.status());
    }

    @Test
    void sizesAreCheckedAsTheCrdsBoundThem() throws Exception {
        StringBuilder variables = new StringBuilder("{");
        for (int n = 0; n < 257; n++) {
            variables.append(n == 0 ? "" : ",").append("\"v").append(n).append("\":\"x\"");
        }
        JsonNode big = JSON.readTree("{\"metadata\":{\"name\":\"m\"},\"spec\":{\"prompt\":\"" + "p".repeat(131073)
                + "\",\"variables\":" + variables + "}}}");
        String status = ((ValidatedWrites.Verdict.Refuse) ValidatedWrites.check(MESSAGES, "m", big, "Strict")).status();
        assertTrue(status.contains("spec.prompt: Too long: may not be more than 131072 bytes"), status);
        assertTrue(status.contains("spec.variables: Too many: 257: must have at most 256"), status);
    }

    @Test
    void patchesAreCheckedOnTheObjectTheyLeave() throws Exception {
        JsonNode current = JSON.readTree("{\"metadata\":{\"name\":\"demo\"},\"spec\":{\"maxTurns\":3,\"model\":\"sonnet\"}}");
        JsonNode merged = ValidatedWrites.resulting("PATCH", "application/merge-patch+json; charset=utf-8",
                bytes("{\"spec\":{\"maxTurns\":5,\"model\":null}}"), current);
        assertEquals("{\"metadata\":{\"name\":\"demo\"},\"spec\":{\"maxTurns\":5}}", merged.toString());
        assertEquals("{\"name\":\"demo\"}", current.get("metadata").toString(), "the current object is not changed");
        JsonNode patched = ValidatedWrites.resulting("PATCH", "application/json-patch+json",
                bytes("[{\"op\":\"replace\",\"path\":\"/spec/maxTurns\",\"value\":\"x\"}]"), current);
        assertEquals(422, ((ValidatedWrites.Verdict.Refuse) ValidatedWrites.check(SESSIONS, "demo", patched, null)).code());
        JsonNode applied = ValidatedWrites.resulting("PATCH", "application/apply-patch+yaml",
                bytes("spec:\n  suspend: true\n"), null);
        assertEquals("{\"spec\":{\"suspend\":true}}", applied.toString());
        JsonNode created = ValidatedWrites.resulting("POST", "application/yaml", bytes("metadata: {name: y}\n"), null);
        assertEquals("y", created.at("/metadata/name").asText());

        var smp = assertThrows(ValidatedWrites.BadWrite.class, () -> ValidatedWrites.resulting("PATCH",
                "application/strategic-merge-patch+json", bytes("{}"), current));
        assertEquals(415, smp.code);
        assertEquals(400, assertThrows(ValidatedWrites.BadWrite.class,
                () -> ValidatedWrites.resulting("POST", "application/json", bytes("{not json"), null)).code);
        assertEquals(404, assertThrows(ValidatedWrites.BadWrite.class, () -> ValidatedWrites.resulting("PATCH",
                "application/json-patch+json", bytes("[]"), null)).code);
        assertEquals(404, assertThrows(ValidatedWrites.BadWrite.class, () -> ValidatedWrites.resulting("PATCH",
                "application/merge-patch+json", bytes("{\"spec\":{}}"), null)).code, "a merge patch creates nothing");
    }

    @Test
    void openApiSaysServerSideValidationIsSupportedAndCarriesOurSchemas() throws Exception {
        OpenApiDocuments docs = new OpenApiDocuments(List.of(
                new OpenApiDocuments.GroupVersion("", "v1", List.of(new OpenApiDocuments.Resource("configmaps", "ConfigMap", true))),
                new OpenApiDocuments.GroupVersion("claude.sessionops.dev", "v1alpha1", List.of(
                        new OpenApiDocuments.Resource("claudesessions", "ClaudeSession", true)))), CRDS);
        JsonNode root = JSON.readTree(docs.at("/openapi/v3"));
        String url = root.at("/paths/apis~1claude.sessionops.dev~1v1alpha1/serverRelativeURL").asText();
        assertTrue(url.matches("/openapi/v3/apis/claude\\.sessionops\\.dev/v1alpha1\\?hash=[0-9A-F]{128}"), url);
        JsonNode gv = JSON.readTree(docs.at("/openapi/v3/apis/claude.sessionops.dev/v1alpha1"));
        JsonNode patch = gv.at("/paths/~1apis~1claude.sessionops.dev~1v1alpha1~1namespaces~1{namespace}~1claudesessions~1{name}/patch");
        assertEquals("ClaudeSession", patch.at("/x-kubernetes-group-version-kind/kind").asText());
        assertTrue(patch.get("parameters").findValuesAsText("name").contains("fieldValidation"));
        JsonNode schema = gv.at("/components/schemas/dev.sessionops.claude.v1alpha1.ClaudeSession");
        assertEquals("ClaudeSession", schema.at("/x-kubernetes-group-version-kind/0/kind").asText());
        assertNotNull(schema.at("/properties/spec/properties/onFailure").get("type"));
        assertTrue(JSON.readTree(docs.at("/openapi/v3/api/v1")).at("/components/schemas").isEmpty());
        assertEquals(null, docs.at("/openapi/v3/apis/batch/v1"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static CustomResources crds() {
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            return CustomResources.of(List.of(
                    yaml.readTree(ValidatedWritesTest.class.getClassLoader().getResource("META-INF/cso/crds/claudemessages.claude.sessionops.dev-v1.yml")),
                    yaml.readTree(ValidatedWritesTest.class.getClassLoader().getResource("META-INF/cso/crds/claudesessions.claude.sessionops.dev-v1.yml"))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
