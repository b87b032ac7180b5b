package dev.sessionops.claude.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.sessionops.claude.testing.Project;

/**
 * deploy/claude-session-operator.yaml is what the chart renders today, and installs without a committed password or
 * private key.
 */
class PlainManifestsTest {

    @Test
    void plainManifestsAreUpToDate() throws Exception {
        String fresh = PlainManifests.render();
        if (Boolean.getBoolean("cso.regenerate")) {
            Files.writeString(PlainManifests.FILE, fresh);
        }
        assertTrue(Files.exists(PlainManifests.FILE), PlainManifests.FILE + " is missing: " + PlainManifests.REGENERATE);
        List<String> want = fresh.lines().toList();
        List<String> have = Files.readString(PlainManifests.FILE).lines().toList();
        for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
            String w = i < want.size() ? want.get(i) : "<end of file>";
            String h = i < have.size() ? have.get(i) : "<end of file>";
            assertEquals(w, h, PlainManifests.FILE + " is stale (the chart or crds/ changed) from line " + (i + 1)
                    + "; regenerate it with: " + PlainManifests.REGENERATE);
        }
    }

    @Test
    void plainManifestsHoldNamespaceCrdsAndOperatorButNoPassword() throws Exception {
        List<HasMetadata> objects = HelmChart.parse(Files.readString(PlainManifests.FILE));
        Namespace ns = (Namespace) objects.get(0);
        assertEquals(HelmChart.NAMESPACE, ns.getMetadata().getName(), "the namespace comes first");
        assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));

        Set<String> crds = objects.stream().filter(CustomResourceDefinition.class::isInstance)
                .map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        assertEquals(Set.of("claudesessions.claude.sessionops.dev", "claudemessages.claude.sessionops.dev"), crds);
        for (String file : List.of("claudesessions", "claudemessages")) {
            String committed = Files.readString(Project.path("crds", file + ".claude.sessionops.dev-v1.yml"));
            Object expected = Serialization.unmarshal(committed, CustomResourceDefinition.class);
            assertTrue(objects.contains(expected), file + " as in crds/");
        }

        assertTrue(objects.stream().noneMatch(Secret.class::isInstance), "no password in a committed file");
        StatefulSet redis = objects.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast)
                .findFirst().orElseThrow();
        String secretName = redis.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("REDIS_PASSWORD")).findFirst().orElseThrow().getValueFrom()
                .getSecretKeyRef().getName();
        assertTrue(Files.readString(PlainManifests.FILE).contains("create secret generic " + secretName + " "),
                "the header says how to create the Secret Redis and the operator read");
        assertTrue(objects.stream().anyMatch(o -> o.getKind().equals("Deployment")));
    }

    /**
     * No private key either: the operator mounts a serving-certificate Secret the header's steps create, for the name
     * the APIService's Service has, and the APIService comes without caBundle, which the header's patch sets.
     */
    @Test
    void plainManifestsLeaveTheServingCertificateToTheInstallSteps() throws Exception {
        String file = Files.readString(PlainManifests.FILE);
        List<HasMetadata> objects = HelmChart.parse(file);
        Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .findFirst().orElseThrow();
        String tlsSecret = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("tls")).findFirst().orElseThrow().getSecret().getSecretName();
        assertTrue(file.contains("create secret generic " + tlsSecret + " --type=kubernetes.io/tls"),
                "the header creates the serving-certificate Secret");
        for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
            assertTrue(file.contains("--from-file=" + key), key);
        }
        assertFalse(file.contains("PRIVATE KEY"));

        APIService apiService = objects.stream().filter(APIService.class::isInstance).map(APIService.class::cast)
                .findFirst().orElseThrow();
        assertNull(apiService.getSpec().getCaBundle(), "the patch in the header owns caBundle");
        assertTrue(file.contains("kubectl patch apiservice " + apiService.getMetadata().getName() + " "));
        var service = apiService.getSpec().getService();
        String dns = service.getName() + "." + service.getNamespace() + ".svc";
        assertTrue(file.contains("-subj \"/CN=" + dns + "\"") && file.contains("subjectAltName=DNS:" + dns + ","),
                "the certificate is for the name the kube-apiserver verifies: " + dns);
    }
}
