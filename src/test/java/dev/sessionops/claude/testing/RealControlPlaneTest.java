package dev.sessionops.claude.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The real control plane behaves like a cluster where the mock server does not: schema validation, the Job
 * controller, garbage collection and RBAC. Needs the binaries from {@code scripts/k8s-test-env.sh}.
 */
class RealControlPlaneTest {
    private static final ResourceDefinitionContext MESSAGES = new ResourceDefinitionContext.Builder()
            .withGroup("claude.sessionops.dev").withVersion("v1alpha1").withKind("ClaudeMessage")
            .withPlural("claudemessages").withNamespaced(true).build();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RealControlPlane plane;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        plane = RealControlPlane.start();
        client = plane.adminClient();
    }

    @AfterAll
    static void stop() {
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    void serverIsTheBuiltVersion() {
        assertEquals("1", client.getKubernetesVersion().getMajor());
        assertEquals("20", client.getKubernetesVersion().getMinor());
        assertTrue(plane.masterUrl().startsWith("https://127.0.0.1:"), plane.masterUrl());
    }

    @Test
    void newNamespaceGetsItsDefaultServiceAccountFromTheController() {
        String ns = namespace("sa");
        await().atMost(WAIT).until(() -> client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
        assertNotNull(plane.serviceAccountToken(ns, "default"));
    }

    @Test
    void crdSchemaRejectsAnInvalidMessageWith422() throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = new FileInputStream("crds/claudemessages.claude.sessionops.dev-v1.yml")) {
            crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        }
        client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(r -> r.update());
        await().atMost(WAIT).until(() -> {
            CustomResourceDefinition current = client.apiextensions().v1().customResourceDefinitions()
                    .withName(crd.getMetadata().getName()).get();
            return current.getStatus() != null && current.getStatus().getConditions().stream()
                    .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        String ns = namespace("crd");

        GenericKubernetesResource valid = message(ns, "valid", 1);
        // right after Established the new resource may not be served for a moment
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 404)
                .until(() -> client.genericKubernetesResources(MESSAGES).inNamespace(ns).resource(valid).create() != null);

        KubernetesClientException rejected = assertThrows(KubernetesClientException.class,
                () -> client.genericKubernetesResources(MESSAGES).inNamespace(ns).resource(message(ns, "zero-turns", 0))
                        .create());
        assertEquals(422, rejected.getCode(), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("spec.maxTurns"), rejected.getMessage());
        assertTrue(rejected.getStatus().getDetails().getCauses().stream()
                .anyMatch(c -> "spec.maxTurns".equals(c.getField())), rejected.getMessage());
    }

    @Test
    void jobControllerCreatesAPodAndGarbageCollectionRemovesIt() {
        String ns = namespace("job");
        // ServiceAccount admission admits Pods only once the namespace's default ServiceAccount has its token
        plane.serviceAccountToken(ns, "default");
        Job job = client.batch().v1().jobs().inNamespace(ns).resource(new JobBuilder()
                .withNewMetadata().withName("work").endMetadata()
                .withNewSpec().withBackoffLimit(0).withTtlSecondsAfterFinished(3600)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox").withCommand("true").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished(), "the TTLAfterFinished gate keeps the field");

        await().atMost(WAIT).until(() -> !podsOf(ns, job).isEmpty());
        Pod pod = podsOf(ns, job).get(0);
        assertEquals("Job", pod.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals(job.getMetadata().getUid(), pod.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("Pending", pod.getStatus().getPhase(), "no scheduler and no kubelet: nobody runs it");

        client.batch().v1().jobs().inNamespace(ns).withName("work")
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(ns).withName("work").get() == null
                && client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get() == null);
    }

    @Test
    void serviceAccountBoundToNoRoleIsForbiddenAndViewOnlyReads() {
        String ns = namespace("rbac");
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("nobody").endMetadata().build()).create();
        String token = plane.serviceAccountToken(ns, "nobody");
        try (KubernetesClient nobody = plane.newClient(token)) {
            KubernetesClientException forbidden = assertThrows(KubernetesClientException.class,
                    () -> nobody.pods().inNamespace(ns).list());
            assertEquals(403, forbidden.getCode(), forbidden.getMessage());
            assertTrue(forbidden.getMessage().contains("system:serviceaccount:" + ns + ":nobody"),
                    forbidden.getMessage());

            // bound to the aggregated `view` role (filled by clusterrole-aggregation) it may read, not write
            client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
                    .withNewMetadata().withName("nobody-view").endMetadata()
                    .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                    .withName("view").endRoleRef()
                    .addNewSubject().withKind("ServiceAccount").withName("nobody").withNamespace(ns).endSubject()
                    .build()).create();
            await().atMost(WAIT).ignoreExceptions().until(() -> nobody.pods().inNamespace(ns).list() != null);
            KubernetesClientException noWrite = assertThrows(KubernetesClientException.class,
                    () -> nobody.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                            .withNewMetadata().withName("x").endMetadata().build()).create());
            assertEquals(403, noWrite.getCode(), noWrite.getMessage());
        }
    }

    @Test
    void kubeconfigWorksForAFreshClient(@TempDir Path dir) throws IOException {
        Path file = plane.kubeconfig(dir.resolve("config"));
        Config config = Config.fromKubeconfig(Files.readString(file));
        try (KubernetesClient fromFile = new KubernetesClientBuilder().withConfig(config).build()) {
            assertNotNull(fromFile.namespaces().withName("default").get());
        }
        Map<String, String> quarkus = plane.quarkusConfig(plane.adminToken());
        assertEquals(plane.masterUrl(), quarkus.get("quarkus.kubernetes-client.api-server-url"));
    }

    private static String namespace(String prefix) {
        String name = prefix + "-" + Long.toHexString(System.nanoTime());
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    private static List<Pod> podsOf(String ns, Job job) {
        return client.pods().inNamespace(ns).withLabel("job-name", job.getMetadata().getName()).list().getItems();
    }

    private static GenericKubernetesResource message(String ns, String name, int maxTurns) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("claude.sessionops.dev/v1alpha1").withKind("ClaudeMessage")
                .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .addToAdditionalProperties("spec", Map.of(
                        "sessionRef", Map.of("name", "s"),
                        "prompt", "hello",
                        "maxTurns", maxTurns))
                .build();
    }
}
