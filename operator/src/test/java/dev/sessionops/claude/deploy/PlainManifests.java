package dev.sessionops.claude.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.sessionops.claude.testing.Project;

/**
 * deploy/claude-session-operator.yaml: the chart rendered with its defaults for people without Helm, plus what
 * {@code helm install --create-namespace} does besides templates (the namespace, the CRDs). The differences to the
 * chart's defaults: no Redis password Secret and no generated serving certificate, because a committed file must
 * carry neither a password, a signing key nor a private key, and a fresh CA per render would change the file on every build. The
 * install steps in its header create both Secrets once, and put the CA into the APIService (which the manifests
 * render without {@code caBundle}, so a later {@code kubectl apply} leaves the patched field alone): the chart's
 * {@code apiService.existingSecret} without {@code apiService.caBundle}.
 */
final class PlainManifests {
    static final Path FILE = Project.path("deploy", "claude-session-operator.yaml");
    static final String REGENERATE = "./mvnw -q test -pl operator -am -Dtest=PlainManifestsTest -Dsurefire.failIfNoSpecifiedTests=false -Dcso.regenerate=true";
    static final String REDIS_SECRET = HelmChart.RELEASE + "-redis";
    static final String TLS_SECRET = HelmChart.RELEASE + "-tls";
    static final String GATEWAY_SECRET = HelmChart.RELEASE + "-gateway";
    /** The name the kube-apiserver verifies the operator's certificate for: its Service's. */
    static final String SERVICE_DNS = HelmChart.RELEASE + "." + HelmChart.NAMESPACE + ".svc";
    static final String API_SERVICE = "v1alpha1.api.claude.sessionops.dev";

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
                #   # the key that signs the runs' tokens for the credential gateway
                #   kubectl -n %3$s create secret generic %9$s --from-literal=signing-key="$(openssl rand -hex 32)"
                #   # then register the model API keys (docs/credential-gateway.md): a Secret here per key, and its
                #   # namespaces in the operator's config (the chart's gateway.keys)
                #   # the read API's serving certificate, from a CA of its own (bash; keep ca.key to renew tls.crt later):
                #   openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=%2$s-ca" -keyout ca.key -out ca.crt
                #   openssl req -newkey rsa:2048 -nodes -subj "/CN=%7$s" -keyout tls.key | openssl x509 -req -CA ca.crt \\
                #     -CAkey ca.key -CAcreateserial -days 3650 -out tls.crt \\
                #     -extfile <(printf "subjectAltName=DNS:%7$s,DNS:%7$s.cluster.local\\nextendedKeyUsage=serverAuth")
                #   kubectl -n %3$s create secret generic %6$s --type=kubernetes.io/tls \\
                #     --from-file=tls.crt --from-file=tls.key --from-file=ca.crt
                #   kubectl apply --server-side -f deploy/claude-session-operator.yaml
                #   # once: the APIService trusts that CA (kubectl apply leaves the field alone afterwards)
                #   kubectl patch apiservice %8$s --type=merge -p "{\\"spec\\":{\\"caBundle\\":\\"$(openssl base64 -A -in ca.crt)\\"}}"
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
                """.formatted(HelmChart.appVersion(), HelmChart.RELEASE, HelmChart.NAMESPACE, REGENERATE, REDIS_SECRET, TLS_SECRET,
                SERVICE_DNS, API_SERVICE, GATEWAY_SECRET));
        try (Stream<Path> crds = Files.list(HelmChart.DIR.resolve("crds"))) {
            for (Path crd : crds.sorted().toList()) {
                out.append("---\n# Source: claude-session-operator/crds/").append(crd.getFileName()).append('\n');
                out.append(Files.readString(crd).replaceFirst("^---\\s*\n", ""));
            }
        }
        String templates = HelmChart.render(List.of(), Map.of("redis.auth.createSecret", false,
                "apiService.existingSecret", TLS_SECRET, "gateway.signingSecret.create", false)).yaml();
        out.append(templates.strip()).append('\n');
        return out.toString();
    }
}
