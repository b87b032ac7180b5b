package dev.sessionops.claude.real;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.sessionops.claude.testing.Project;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What an install puts in a cluster before the operator runs, from the build's own files: the CRDs of
 * {@code crds/}, and the ServiceAccount, ClusterRoles and bindings of {@code target/kubernetes/kubernetes.yml} (the
 * RBAC the build generates). Shared by the real-API-server tier and the benchmark, so both run the operator with
 * exactly the rights a cluster gives it.
 */
public final class ClusterInstall {
    private ClusterInstall() {
    }

    /** Creates every CRD of the project's {@code crds/} directory. */
    public static void crds(KubernetesClient admin) {
        for (File crd : Project.path("crds").toFile().listFiles((d, n) -> n.endsWith(".yml"))) {
            try (InputStream in = new FileInputStream(crd)) {
                admin.load(in).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The ServiceAccount, ClusterRoles and bindings of target/kubernetes/kubernetes.yml (the module's build
     * directory: run from the operator module), the namespaced ones and the subjects in {@code namespace}.
     */
    public static void generatedRbac(KubernetesClient admin, String namespace) {
        try (InputStream in = Files.newInputStream(Path.of("target/kubernetes/kubernetes.yml"))) {
            for (HasMetadata item : admin.load(in).items()) {
                switch (item.getKind()) {
                    case "ServiceAccount", "ClusterRole", "RoleBinding", "ClusterRoleBinding" -> {
                        if (item instanceof ClusterRoleBinding b) {
                            b.getSubjects().forEach(s -> s.setNamespace(namespace));
                        }
                        if (item instanceof RoleBinding b) {
                            b.getSubjects().forEach(s -> s.setNamespace(namespace));
                        }
                        if (!"ClusterRole".equals(item.getKind()) && !"ClusterRoleBinding".equals(item.getKind())) {
                            item.getMetadata().setNamespace(namespace);
                        }
                        admin.resource(item).create();
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
