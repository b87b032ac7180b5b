package dev.sessionops.claude.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.sessionops.claude.testing.Project;

/**
 * The committed crds/ must be what the API classes generate (the build writes the same files to target/kubernetes),
 * and the schema must carry the validation that a real API server enforces before the operator sees a resource.
 */
class CrdsUpToDateTest {
    static final Path COMMITTED = Project.path("crds");
    static Path generated;

    @BeforeAll
    static void generate(@TempDir Path dir) {
        new CRDGenerator().inOutputDir(dir.toFile()).forCRDVersions("v1")
                .customResourceClasses(ClaudeSession.class, ClaudeMessage.class).generate();
        generated = dir;
    }

    @Test
    void committedCrdsMatchTheApiClasses() throws Exception {
        for (String name : List.of("claudesessions", "claudemessages")) {
            String file = name + ".claude.sessionops.dev-v1.yml";
            assertTrue(Files.exists(COMMITTED.resolve(file)), "crds/" + file + " is missing");
            Object expected = Serialization.unmarshal(Files.readString(generated.resolve(file)), Map.class);
            Object actual = Serialization.unmarshal(Files.readString(COMMITTED.resolve(file)), Map.class);
            assertTrue(expected.equals(actual), "crds/" + file + " is stale: copy target/kubernetes/" + file + " after a build");
        }
    }

    @Test
    void messageSchemaRejectsBadInput() throws Exception {
        CustomResourceDefinition crd = load("claudemessages");
        JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        JSONSchemaProps spec = root.getProperties().get("spec");
        assertEquals(List.of("spec"), root.getRequired());
        assertTrue(rules(spec).contains("has(self.prompt) != has(self.promptFrom)"), "exactly one of prompt/promptFrom");
        assertTrue(rules(root).stream().anyMatch(r -> r.contains("self.spec == oldSelf.spec")), "spec immutable once started");
        assertEquals(PermissionMode.PATTERN, spec.getProperties().get("permissionMode").getPattern());
        assertEquals(Effort.PATTERN, spec.getProperties().get("effort").getPattern());
        assertEquals(1.0, spec.getProperties().get("maxTurns").getMinimum());
        assertEquals(0.0, spec.getProperties().get("maxBudgetUsd").getMinimum());
        assertEquals(Boolean.TRUE, spec.getProperties().get("maxBudgetUsd").getExclusiveMinimum());
        assertTrue(spec.getProperties().get("timeout").getPattern() != null);
        assertEquals(List.of("name"), spec.getProperties().get("sessionRef").getRequired());
        assertEquals(List.of("key", "name"), spec.getProperties().get("promptFrom").getProperties()
                .get("configMapKeyRef").getRequired().stream().sorted().toList());
        var names = crd.getSpec().getNames();
        assertEquals(List.of("cmsg"), names.getShortNames());
        assertTrue(crd.getSpec().getVersions().get(0).getSubresources().getStatus() != null, "status subresource");
        assertTrue(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .anyMatch(c -> c.getJsonPath().equals(".status.phase")));
    }

    @Test
    void sessionSchemaRejectsPlainTextCredentials() throws Exception {
        CustomResourceDefinition crd = load("claudesessions");
        JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertTrue(rules(spec.getProperties().get("env")).stream().anyMatch(r -> r.contains("ANTHROPIC_API_KEY")));
        assertTrue(rules(spec.getProperties().get("workspace")).stream().anyMatch(r -> r.contains("volumeClaim")));
        assertEquals(List.of("csess"), crd.getSpec().getNames().getShortNames());
        assertTrue(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .anyMatch(c -> c.getJsonPath().equals(".status.currentSessionId")));
    }

    private static CustomResourceDefinition load(String name) throws Exception {
        return Serialization.unmarshal(Files.readString(COMMITTED.resolve(name + ".claude.sessionops.dev-v1.yml")),
                CustomResourceDefinition.class);
    }

    private static List<String> rules(JSONSchemaProps props) {
        return props.getXKubernetesValidations() == null ? List.of()
                : props.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList();
    }
}
