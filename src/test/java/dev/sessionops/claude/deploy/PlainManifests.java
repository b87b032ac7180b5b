package dev.sessionops.claude.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * deploy/claude-session-operator.yaml: the chart rendered with its defaults for people without Helm, plus what
 * {@code helm install --create-namespace} does besides templates (the namespace, the CRDs). The only difference to
 * the chart's defaults: no Redis password Secret, because a committed file must not carry a password (the install
 * steps in its header create it).
 */
final class PlainManifests {
    static final Path FILE = Path.of("deploy", "claude-session-operator.yaml");
    static final String REGENERATE = "./mvnw -q test -Dtest=PlainManifestsTest -Dcso.regenerate=true";
    static final String REDIS_SECRET = HelmChart.RELEASE + "-redis";

    private PlainManifests() {
    }

    static String render() throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("""
                # claude-session-operator %1$s for clusters without Helm: helm/claude-session-operator rendered with its
                # default values (release %2$s in namespace %3$s), the namespace and the CRDs.
                # Generated; do not edit. After changing the chart, regenerate it with:
                #   %4$s
                #
                # Install (Kubernetes 1.25 or later):
                #   kubectl create namespace %3$s
                #   kubectl -n %3$s create secret generic %5$s --from-literal=redis-password="$(openssl rand -hex 24)"
                #   kubectl apply --server-side -f deploy/claude-session-operator.yaml
                # Uninstall (deletes every ClaudeSession and ClaudeMessage with the CRDs):
                #   kubectl delete -f deploy/claude-session-operator.yaml
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %3$s
                  labels:
                    # the operator and Redis pods meet the restricted Pod Security Standard
                    pod-security.kubernetes.io/enforce: restricted
                """.formatted(HelmChart.appVersion(), HelmChart.RELEASE, HelmChart.NAMESPACE, REGENERATE, REDIS_SECRET));
        try (Stream<Path> crds = Files.list(HelmChart.DIR.resolve("crds"))) {
            for (Path crd : crds.sorted().toList()) {
                out.append("---\n# Source: claude-session-operator/crds/").append(crd.getFileName()).append('\n');
                out.append(Files.readString(crd).replaceFirst("^---\\s*\n", ""));
            }
        }
        String templates = HelmChart.render(List.of(), Map.of("redis.auth.createSecret", false)).yaml();
        out.append(templates.strip()).append('\n');
        return out.toString();
    }
}
