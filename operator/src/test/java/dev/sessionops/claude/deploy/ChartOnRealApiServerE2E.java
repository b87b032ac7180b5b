package dev.sessionops.claude.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.marcnuri.helm.Helm;

import dev.sessionops.claude.api.v1alpha1.ClaudeSession;
import dev.sessionops.claude.api.v1alpha1.ClaudeSessionSpec;
import dev.sessionops.claude.local.Pki;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.testing.Project;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.testing.TestPki;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.sessionops.claude.api.v1alpha1.Credentials;
import dev.sessionops.claude.api.v1alpha1.NameRef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The chart installed with helm-java onto a real kube-apiserver (the real-API-server tier's control plane) in
 * namespaced mode for team-a and team-b: the API server accepts every object, an upgrade keeps the generated Redis
 * password (the {@code lookup} path no template test can reach), the RBAC authorizes the operator's identity where
 * it should and nowhere else, and the packaged operator, run with the Deployment's environment as that identity,
 * reconciles in its namespaces without a single Forbidden and leaves the others alone (its credential gateway, on by
 * default, reading the signing key the chart generated).
 *
 * <p>Failsafe, after {@code package}: needs target/quarkus-app and the binaries of scripts/k8s-test-env.sh.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartOnRealApiServerE2E {
    static final String NS = HelmChart.NAMESPACE;
    static final String SA = "system:serviceaccount:" + NS + ":" + HelmChart.RELEASE;
    static final Path WORK = Path.of("target", "chart-on-real-api-server");

    static RealControlPlane cluster;
    static KubernetesClient admin;
    static Path kubeconfig;
    static RedisServer redis;
    static Process operator;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(RealControlPlane.binariesPresent(), "run scripts/k8s-test-env.sh first (scripts/install-test-deps.sh does)");
        Files.createDirectories(WORK);
        cluster = RealControlPlane.start();
        admin = cluster.adminClient();
        kubeconfig = cluster.kubeconfig(WORK.resolve("admin.kubeconfig"));
        for (String ns : new String[] { "team-a", "team-b", "team-c" }) {
            // the label an API server of 1.21 or later sets itself (this one is 1.20); the chart's webhook selects by it
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .addToLabels("kubernetes.io/metadata.name", ns).endMetadata().build()).create();
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (operator != null) {
            operator.destroy();
            if (!operator.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                operator.destroyForcibly().waitFor();
            }
        }
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void helmInstallsTheChartAndAnUpgradeKeepsTheRedisPassword() {
        new Helm(HelmChart.DIR).install().withName(HelmChart.RELEASE).withNamespace(NS).createNamespace()
                .withKubeConfig(kubeconfig).withValuesFile(HelmChart.CI.resolve("namespaced-values.yaml"))
                // policy/v1 PodDisruptionBudgets came with Kubernetes 1.21; this API server is 1.20
                .set("podDisruptionBudget.enabled", false).call();
        assertNotNull(admin.apiextensions().v1().customResourceDefinitions().withName("claudesessions.claude.sessionops.dev").get(),
                "Helm installed the CRDs");
        assertNotNull(admin.rbac().roles().inNamespace("team-b").withName(HelmChart.RELEASE).get());
        String password = admin.secrets().inNamespace(NS).withName(HelmChart.RELEASE + "-redis").get().getData().get("redis-password");
        assertNotNull(password);
        String signingKey = admin.secrets().inNamespace(NS).withName(HelmChart.RELEASE + "-gateway").get().getData()
                .get("signing-key");
        assertNotNull(signingKey, "the credential gateway's signing key (the gateway is on by default)");

        new Helm(HelmChart.DIR).upgrade().withName(HelmChart.RELEASE).withNamespace(NS).withKubeConfig(kubeconfig)
                .withValuesFile(HelmChart.CI.resolve("namespaced-values.yaml")).set("podDisruptionBudget.enabled", false)
                .set("replicas", 3).call();
        assertEquals(3, admin.apps().deployments().inNamespace(NS).withName(HelmChart.RELEASE).get().getSpec().getReplicas());
        assertEquals(password, admin.secrets().inNamespace(NS).withName(HelmChart.RELEASE + "-redis").get().getData()
                .get("redis-password"), "the upgrade kept the password");
        assertEquals(signingKey, admin.secrets().inNamespace(NS).withName(HelmChart.RELEASE + "-gateway").get().getData()
                .get("signing-key"), "the upgrade kept the signing key (the runs' tokens stay valid)");
        for (String ns : new String[] { "team-a", "team-b" }) {
            assertNotNull(admin.network().v1().networkPolicies().inNamespace(ns).withName(HelmChart.RELEASE + "-runner").get(),
                    "the runner pods' egress policy, accepted by the API server, in " + ns);
        }
    }

    @Test
    @Order(2)
    void rbacAuthorizesTheOperatorInItsNamespacesOnly() {
        assertFalse(allowed("team-a", "", "secrets", "get"), "no Secret of a tenant: the kubelet resolves the credentials");
        assertFalse(allowed("team-a", "", "secrets", "list"), "Secrets are read by name only");
        assertTrue(allowed("team-b", "batch", "jobs", "create"));
        assertTrue(allowed("team-b", "claude.sessionops.dev", "claudemessages", "watch"));
        assertFalse(allowed("team-c", "claude.sessionops.dev", "claudesessions", "list"), "team-c is not watched");
        assertFalse(allowed("team-c", "", "secrets", "get"));
        assertFalse(allowed(null, "claude.sessionops.dev", "claudesessions", "list"), "nothing cluster-wide");
        assertTrue(allowed(null, "apiextensions.k8s.io", "customresourcedefinitions", "get"), "reads the CRDs");
        for (String verb : new String[] { "get", "update", "patch" }) {
            assertTrue(allowed(NS, "coordination.k8s.io", "leases", HelmChart.RELEASE, verb), "leader election: " + verb);
            assertFalse(allowed(NS, "coordination.k8s.io", "leases", "someone-elses", verb), "only its own Lease: " + verb);
        }
        assertTrue(allowed(NS, "coordination.k8s.io", "leases", "create"));
        assertFalse(allowed(NS, "coordination.k8s.io", "leases", HelmChart.RELEASE, "delete"));
        assertFalse(allowed("team-a", "coordination.k8s.io", "leases", "create"), "Leases only where it runs");
        assertFalse(allowed(NS, "", "pods", "list"), "no reconciler rights where the operator runs");
        assertTrue(allowed(NS, "", "secrets", HelmChart.RELEASE + "-gateway", "get"), "the gateway's signing key");
        assertFalse(allowed(NS, "", "secrets", HelmChart.RELEASE + "-redis", "get"), "no other Secret of its namespace");
    }

    @Test
    @Order(3)
    void operatorRunsWithTheChartsEnvironmentAndRbac() throws Exception {
        String ignoredName = "ignored";
        admin.resource(session("team-c", ignoredName)).create();

        // the chart's admission webhook fails closed: no replica answers yet, so nothing is created in team-a
        KubernetesClientException closed = assertThrows(KubernetesClientException.class,
                () -> admin.resource(session("team-a", "too-early")).create());
        assertTrue(closed.getMessage().contains("failed calling webhook \"validate.claude.sessionops.dev\""), closed.getMessage());

        redis = RedisServer.startOnFreePort();
        String token = cluster.serviceAccountToken(NS, HelmChart.RELEASE);
        Path operatorKubeconfig = cluster.kubeconfig(WORK.resolve("operator.kubeconfig"), token, "operator");
        Deployment deployment = admin.apps().deployments().inNamespace(NS).withName(HelmChart.RELEASE).get();
        File log = WORK.resolve("operator.log").toFile();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Project.operatorJar().toString()).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = pb.environment();
        for (EnvVar var : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            env.put(var.getName(), resolve(var));
        }
        assertEquals("team-a,team-b", env.get("QUARKUS_OPERATOR_SDK_NAMESPACES"));
        // the in-chart Redis has no pod here (no kubelet): a local one without a password stands in for it
        env.put("QUARKUS_REDIS_HOSTS", redis.uri());
        env.remove("QUARKUS_REDIS_PASSWORD");
        // the Secret-mounted serving certificate (/etc/cso/tls): the chart's own, which its APIService and webhook
        // trust; the pod's own ports, as this machine has them: free ones on loopback
        Path tls = Files.createDirectories(WORK.resolve("tls")).toAbsolutePath();
        String secretName = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> "tls".equals(v.getName())).findFirst().orElseThrow().getSecret().getSecretName();
        Map<String, String> serving = admin.secrets().inNamespace(NS).withName(secretName).get().getData();
        for (String file : new String[] { "tls.crt", "tls.key" }) {
            Pki.writePrivate(tls.resolve(file), new String(java.util.Base64.getDecoder().decode(serving.get(file)),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        int httpsPort = freePort();
        int managementPort = freePort();
        env.put("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", tls.resolve("tls.crt").toString());
        env.put("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES", tls.resolve("tls.key").toString());
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        // the credential gateway (on in the chart) on a free port of loopback too; it reads the signing key the
        // chart generated, through the chart's Role
        env.put("CSO_GATEWAY_HOST", "127.0.0.1");
        env.put("CSO_GATEWAY_PORT", String.valueOf(freePort()));
        env.put("KUBECONFIG", operatorKubeconfig.toAbsolutePath().toString());
        operator = pb.start();
        routeServiceToThisMachine(httpsPort);

        // the prod profile elects a leader: the operator reconciles only once it holds the chart's Lease
        String watchedName = "watched";
        // admitted once the operator answers the chart's webhook
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> admin.resource(session("team-a", watchedName)).create() != null);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertTrue(operator.isAlive(), "the operator exited: see " + log);
            ClaudeSession watched = admin.resources(ClaudeSession.class).inNamespace("team-a").withName(watchedName).get();
            assertNotNull(watched.getStatus(), "team-a's session reconciled");
            assertNotNull(watched.getStatus().getPhase());
        });
        Thread.sleep(2000);
        // read untyped: ClaudeSession starts with an empty status object of its own
        var ignored = admin.genericKubernetesResources("claude.sessionops.dev/v1alpha1", "ClaudeSession")
                .inNamespace("team-c").withName(ignoredName).get();
        assertNull(ignored.getAdditionalProperties().get("status"), "team-c's session (created first) is not the operator's business");
        assertTrue(Files.readString(log.toPath()).contains("for namespace(s): [team-b, team-a]")
                || Files.readString(log.toPath()).contains("for namespace(s): [team-a, team-b]"), "watches what the chart said");
        Lease lease = admin.leases().inNamespace(NS).withName(env.get("CSO_LEADER_ELECTION_LEASE_NAME")).get();
        assertNotNull(lease, "the Lease the chart names, in the release namespace");
        assertNotNull(lease.getSpec().getHolderIdentity());
        String output = Files.readString(log.toPath());
        assertFalse(output.toLowerCase().contains("forbidden"), "the chart's RBAC sufficed: see " + log);
        assertTrue(operator.isAlive());

        // the Deployment's probes answer on the paths it names, on the management interface (plain HTTP, no
        // credentials: the kubelet's probes and Prometheus have none)
        URI management = URI.create("http://127.0.0.1:" + managementPort);
        var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        HttpClient http = HttpClient.newHttpClient();
        for (var probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
            String path = probe.getHttpGet().getPath();
            var response = http.send(HttpRequest.newBuilder(management.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), path + ": " + response.body());
        }
        // and the ServiceMonitor's default path serves the operator's metrics
        String metricsPath = Files.readAllLines(HelmChart.DIR.resolve("values.yaml")).stream().map(String::strip)
                .filter(l -> l.startsWith("path: ")).findFirst().orElseThrow().substring("path: ".length());
        var metrics = http.send(HttpRequest.newBuilder(management.resolve(metricsPath)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), metricsPath);
        assertTrue(metrics.body().contains("cso_messages"), metricsPath + " has the operator's own metrics");
        // the API port serves only the authenticated API: over TLS, and nothing without the front proxy's certificate
        // (with the chart's certificate, issued for the Service's names: the connection is to 127.0.0.1)
        var api = (javax.net.ssl.HttpsURLConnection) URI.create("https://127.0.0.1:" + httpsPort + "/q/health/ready").toURL()
                .openConnection();
        api.setSSLSocketFactory(trusting(serving.get("ca.crt")).getSocketFactory());
        api.setHostnameVerifier((host, session) -> true);
        assertEquals(401, api.getResponseCode());
    }

    /**
     * No kube-proxy here: the release's Service becomes an ExternalName for localhost, which the API server resolves
     * to {@code localhost:<port>}, so the webhook's port is the operator's; the name the API server verifies (the
     * Service's), the path and the CA stay the chart's.
     */
    private static void routeServiceToThisMachine(int httpsPort) {
        admin.services().inNamespace(NS).withName(HelmChart.RELEASE).edit(svc -> new ServiceBuilder(svc).editSpec()
                .withType("ExternalName").withExternalName("localhost").withClusterIP(null).withClusterIPs()
                .withSelector(null).withPorts(new ServicePortBuilder().withName("https").withPort(httpsPort).build())
                .endSpec().build());
        admin.admissionRegistration().v1().validatingWebhookConfigurations().withName(HelmChart.RELEASE).edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().getService().setPort(httpsPort));
            return c;
        });
    }

    /**
     * The chart's webhook, called by the API server through the release's Service with the chart's CA: a user who may
     * create sessions in team-a but not read its Secrets cannot name one; the cluster admin can.
     */
    @Test
    @Order(4)
    void theChartsWebhookChecksReferencesAgainstTheUsersRights() {
        admin.serviceAccounts().inNamespace("team-a").resource(new ServiceAccountBuilder().withNewMetadata().withName("bob")
                .endMetadata().build()).create();
        admin.rbac().roles().inNamespace("team-a").resource(new RoleBuilder().withNewMetadata().withName("bob").endMetadata()
                .addNewRule().withApiGroups("claude.sessionops.dev").withResources("claudesessions").withVerbs("create")
                .endRule().build()).create();
        admin.rbac().roleBindings().inNamespace("team-a").resource(new RoleBindingBuilder().withNewMetadata().withName("bob")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "bob").addNewSubject()
                .withKind("ServiceAccount").withName("bob").withNamespace("team-a").endSubject().build()).create();
        ClaudeSession naming = session("team-a", "names-a-secret");
        naming.getSpec().setCredentials(new Credentials(new NameRef("someone-elses-key")));
        try (KubernetesClient bob = cluster.newClient(cluster.serviceAccountToken("team-a", "bob"))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                        () -> bob.resource(naming).create());
                assertTrue(refused.getMessage().contains("admission webhook \"validate.claude.sessionops.dev\" denied the request")
                        && refused.getMessage().contains("cannot get secrets \"someone-elses-key\" (spec.credentials.secretRef)"),
                        refused.getMessage());
            });
        }
        assertNotNull(admin.resource(naming).create(), "the cluster admin may read it");
    }

    /** An SSLContext trusting one CA certificate (base64 PEM, as a Secret holds it). */
    private static javax.net.ssl.SSLContext trusting(String caBase64) throws Exception {
        var ca = java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(caBase64)));
        var store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("chart-ca", ca);
        var trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        var context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean allowed(String namespace, String group, String resource, String verb) {
        return allowed(namespace, group, resource, null, verb);
    }

    private static boolean allowed(String namespace, String group, String resource, String name, String verb) {
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec().withUser(SA)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated")
                .withResourceAttributes(new ResourceAttributesBuilder().withNamespace(namespace).withGroup(group)
                        .withResource(resource).withName(name).withVerb(verb).build())
                .endSpec().build();
        return admin.resource(review).create().getStatus().getAllowed();
    }

    /** What the kubelet would put in the variable: values, the pod's namespace, Secret keys. */
    private static String resolve(EnvVar var) {
        if (var.getValueFrom() == null) {
            return var.getValue();
        }
        if (var.getValueFrom().getFieldRef() != null) {
            assertEquals("metadata.namespace", var.getValueFrom().getFieldRef().getFieldPath(), var.getName());
            return NS;
        }
        var ref = var.getValueFrom().getSecretKeyRef();
        return new String(java.util.Base64.getDecoder().decode(admin.secrets().inNamespace(NS).withName(ref.getName()).get()
                .getData().get(ref.getKey())), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static ClaudeSession session(String namespace, String name) {
        ClaudeSession session = new ClaudeSession();
        session.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        session.setSpec(new ClaudeSessionSpec());
        return session;
    }
}
