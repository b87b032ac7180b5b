package dev.sessionops.claude.testing;

import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServerTestResource;

/**
 * The Fabric8 mock API server of every {@code @QuarkusTest}, set up as a cluster whose kube-apiserver runs with the
 * front-proxy flags (it publishes {@code kube-system/extension-apiserver-authentication}) before the operator starts;
 * and the operator's serving certificate for its HTTPS port.
 */
public class MockApiServerResource extends KubernetesServerTestResource {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        var client = server.getClient();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("kube-system").endMetadata().build())
                .createOr(n -> n.update());
        client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("extension-apiserver-authentication").withNamespace("kube-system").endMetadata()
                .withData(TestPki.extensionApiserverAuthentication()).build()).createOr(c -> c.update());
        config.put("quarkus.http.ssl.certificate.files", TestPki.dir().resolve("tls.crt").toString());
        config.put("quarkus.http.ssl.certificate.key-files", TestPki.dir().resolve("tls.key").toString());
        return config;
    }
}
