package dev.sessionops.claude.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import dev.sessionops.claude.local.Pki;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The real control plane behaves like a cluster where the mock server does not: schema validation, the Job
 * controller, garbage collection, RBAC and API aggregation. Needs the binaries from {@code scripts/k8s-test-env.sh}.
 */
class RealControlPlaneTest {
    private static final ResourceDefinitionContext MESSAGES = new ResourceDefinitionContext.Builder()
            .withGroup("claude.sessionops.dev").withVersion("v1alpha1").withKind("ClaudeMessage")
            .withPlural("claudemessages").withNamespaced(true).build();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

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
        try (InputStream in = new FileInputStream(Project.path("crds", "claudemessages.claude.sessionops.dev-v1.yml").toFile())) {
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

    @Test
    void aggregatedApiIsProxiedOverLoopbackWithTheCallersIdentityFromTheFrontProxy(@TempDir Path dir)
            throws Exception {
        String ns = namespace("agg");
        Pki.Issued servingCa = Pki.ca("things-api-ca");
        try (ThingsApi api = new ThingsApi(servingCa, "things-api", ns, plane.frontProxyCa())) {
            plane.registerApiService(ThingsApi.GROUP, ThingsApi.VERSION, ns, "things-api", api.port(),
                    servingCa.certPem());
            try {
                client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder()
                        .withNewMetadata().withName("reader").endMetadata().build()).create();
                String token = plane.serviceAccountToken(ns, "reader");
                String user = "system:serviceaccount:" + ns + ":reader";
                String path = "/apis/" + ThingsApi.GROUP + "/" + ThingsApi.VERSION + "/namespaces/" + ns
                        + "/things/x";

                // the API server authorizes the request itself before it proxies anything
                HttpResponse<String> forbidden = getThrough(path, token);
                assertEquals(403, forbidden.statusCode(), forbidden.body());
                assertTrue(forbidden.body().contains(user), forbidden.body());
                assertEquals(0, api.thingRequests.get(), "a forbidden request must not reach the aggregated server");

                allowToGetThings(ns, "reader");
                // RBAC's informers learn of the binding a moment later
                HttpResponse<String> allowed = await().atMost(WAIT)
                        .until(() -> getThrough(path, token), r -> r.statusCode() != 403);
                assertEquals(200, allowed.statusCode(), allowed.body());

                JsonNode echo = JSON.readTree(allowed.body());
                assertEquals(List.of(user), strings(echo.get("users")), "the forged X-Remote-User is replaced");
                List<String> groups = strings(echo.get("groups"));
                assertTrue(groups.contains("system:authenticated"), groups.toString());
                assertFalse(groups.contains("system:masters"), "the forged X-Remote-Group is replaced: " + groups);
                assertEquals(RealControlPlane.FRONT_PROXY_CLIENT, echo.get("clientCn").asText());
                assertTrue(echo.get("authorization").isNull(), "the caller's token must not be passed on: " + echo);

                Kubectl.Result kubectl = Kubectl.run(plane.kubeconfig(dir.resolve("reader"), token, "reader"),
                        WAIT, "get", "--raw", path);
                assertEquals(0, kubectl.exitCode(), kubectl.toString());
                assertEquals(List.of(user), strings(JSON.readTree(kubectl.stdout()).get("users")), kubectl.toString());
            } finally {
                // a stopped server behind a registered APIService would trouble the other tests' discovery
                plane.unregisterApiService(ThingsApi.GROUP, ThingsApi.VERSION);
            }
        }
    }

    @Test
    void frontProxyCaIsPublishedForAggregatedApiServers() {
        ConfigMap auth = client.configMaps().inNamespace("kube-system").withName("extension-apiserver-authentication")
                .get();
        assertNotNull(auth, "kube-apiserver publishes kube-system/extension-apiserver-authentication");
        Map<String, String> data = auth.getData();
        assertEquals(plane.frontProxyCa().certPem().trim(), data.get("requestheader-client-ca-file").trim());
        assertEquals("[\"" + RealControlPlane.FRONT_PROXY_CLIENT + "\"]", data.get("requestheader-allowed-names"));
        assertEquals("[\"X-Remote-User\"]", data.get("requestheader-username-headers"));
    }

    /** Lets the ServiceAccount get {@code things} in its namespace (a ClusterRole bound by a RoleBinding). */
    private static void allowToGetThings(String ns, String serviceAccount) {
        client.rbac().clusterRoles().resource(new ClusterRoleBuilder()
                .withNewMetadata().withName("things-reader-" + ns).endMetadata()
                .addNewRule().withApiGroups(ThingsApi.GROUP).withResources("things").withVerbs("get").endRule()
                .build()).create();
        client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder()
                .withNewMetadata().withName(serviceAccount + "-things").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("things-reader-" + ns).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(ns).endSubject()
                .build()).create();
    }

    /** A GET through the API server with a bearer token and forged front-proxy headers the proxy must not trust. */
    private static HttpResponse<String> getThrough(String path, String token) throws IOException, InterruptedException {
        return plane.httpClient().send(HttpRequest.newBuilder(URI.create(plane.masterUrl() + path))
                .header("Authorization", "Bearer " + token)
                .header("X-Remote-User", "admin")
                .header("X-Remote-Group", "system:masters")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /**
     * A minimal aggregated API server on loopback: discovery for {@code things}, and a GET of any thing echoes
     * what the front proxy told it (users, groups, its client certificate's CN, any Authorization header).
     */
    private static final class ThingsApi implements AutoCloseable {
        static final String GROUP = "aggregation.test.sessionops.dev";
        static final String VERSION = "v1alpha1";
        private static final char[] PASSWORD = "unused".toCharArray();

        final AtomicInteger thingRequests = new AtomicInteger();
        private final HttpsServer server;

        ThingsApi(Pki.Issued ca, String service, String namespace, Pki.Issued frontProxyCa) throws Exception {
            Pki.Issued serving = Pki.server(ca, service, List.of(service + "." + namespace + ".svc"), List.of());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("serving", serving.key(), PASSWORD, new Certificate[] {serving.cert(), ca.cert()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("front-proxy-ca", frontProxyCa.cert());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    // as an aggregated server asks: the proxy's certificate is what vouches for the headers
                    SSLParameters ssl = tls.getDefaultSSLParameters();
                    ssl.setWantClientAuth(true);
                    params.setSSLParameters(ssl);
                }
            });
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String prefix = "/apis/" + GROUP + "/" + VERSION;
            String path = exchange.getRequestURI().getPath();
            Object body;
            if (path.equals(prefix)) {
                body = Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", GROUP + "/" + VERSION,
                        "resources", List.of(Map.of("name", "things", "singularName", "thing", "namespaced", true,
                                "kind", "Thing", "verbs", List.of("get"))));
            } else if (path.startsWith(prefix + "/namespaces/") && path.contains("/things/")) {
                thingRequests.incrementAndGet();
                Map<String, Object> echo = new LinkedHashMap<>();
                echo.put("users", headers(exchange, "X-Remote-User"));
                echo.put("groups", headers(exchange, "X-Remote-Group"));
                echo.put("clientCn", clientCn((HttpsExchange) exchange));
                echo.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
                body = echo;
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] json = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, json.length);
            try (var out = exchange.getResponseBody()) {
                out.write(json);
            }
        }

        private static List<String> headers(HttpExchange exchange, String name) {
            return exchange.getRequestHeaders().getOrDefault(name, List.of());
        }

        private static String clientCn(HttpsExchange exchange) {
            try {
                X509Certificate cert = (X509Certificate) exchange.getSSLSession().getPeerCertificates()[0];
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        return rdn.getValue().toString();
                    }
                }
                return null;
            } catch (SSLPeerUnverifiedException | InvalidNameException e) {
                return null; // no client certificate
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
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
