package dev.sessionops.claude.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.deploy.HelmChart.Rendered;
import dev.sessionops.claude.deploy.RbacGrants.Grant;
import dev.sessionops.claude.message.ClaudeMessageReconciler;
import dev.sessionops.claude.session.ClaudeSessionReconciler;
import dev.sessionops.claude.testing.Project;
import io.fabric8.kubernetes.api.model.APIService;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithDefault;

/**
 * The Helm chart, linted and rendered with the defaults and the value sets of its ci/ folder (external Redis,
 * namespaced RBAC for two namespaces, metrics with ServiceMonitor and NetworkPolicy, cert-manager), checked as
 * Kubernetes objects.
 * The comparison with the RBAC the operator SDK generates needs the packaged build: {@link ChartRbacE2E}.
 */
class HelmChartTest {
    static final String SA = HelmChart.RELEASE;
    static final String NS = HelmChart.NAMESPACE;
    static final String REDIS = HelmChart.RELEASE + "-redis";

    static Rendered defaults;
    static Rendered externalRedis;
    static Rendered namespaced;
    static Rendered metrics;
    static Rendered certManager;

    @BeforeAll
    static void render() {
        defaults = HelmChart.renderDefaults();
        externalRedis = HelmChart.render("external-redis-values.yaml");
        namespaced = HelmChart.render("namespaced-values.yaml");
        metrics = HelmChart.render("metrics-values.yaml");
        certManager = HelmChart.render("cert-manager-values.yaml");
    }

    static List<Rendered> all() {
        return List.of(defaults, externalRedis, namespaced, metrics, certManager);
    }

    @Test
    void lintFindsNothing() {
        var result = HelmChart.lint();
        assertFalse(result.isFailed(), String.join("\n", result.getMessages()));
        assertTrue(result.getMessages().stream().noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]")),
                String.join("\n", result.getMessages()));
    }

    @Test
    void chartCrdsAreTheCommittedCrds() throws Exception {
        File[] committed = Project.path("crds").toFile().listFiles((d, n) -> n.endsWith(".yml"));
        File[] inChart = HelmChart.DIR.resolve("crds").toFile().listFiles();
        assertNotNull(committed);
        assertNotNull(inChart);
        assertEquals(names(committed), names(inChart), "helm/claude-session-operator/crds/ holds exactly crds/*.yml");
        for (File file : committed) {
            assertArrayEquals(Files.readAllBytes(file.toPath()),
                    Files.readAllBytes(HelmChart.DIR.resolve("crds").resolve(file.getName())),
                    file.getName() + " differs: cp crds/*.yml helm/claude-session-operator/crds/");
        }
    }

    @Test
    void defaultsRunTwoOperatorsAgainstTheInChartRedis() throws Exception {
        Deployment deployment = defaults.operator();
        Container operator = operatorContainer(deployment);
        assertEquals("ghcr.io/sessionops/claude-session-operator:" + HelmChart.appVersion(), operator.getImage());
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals(SA, deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        defaults.named(ServiceAccount.class, SA);
        // the API over TLS only, health and metrics on the management interface
        Map<String, Integer> ports = operator.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertEquals(Map.of("https", 8443, "management", 9000, "gateway", 8088), ports);
        Map<String, EnvVar> tlsEnv = env(operator);
        assertEquals("8443", tlsEnv.get("QUARKUS_HTTP_SSL_PORT").getValue());
        assertEquals("disabled", tlsEnv.get("QUARKUS_HTTP_INSECURE_REQUESTS").getValue(), "no plain HTTP port");
        assertEquals("true", tlsEnv.get("QUARKUS_MANAGEMENT_ENABLED").getValue());
        assertEquals("9000", tlsEnv.get("QUARKUS_MANAGEMENT_PORT").getValue());
        assertEquals("/q/health/live", operator.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", operator.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/started", operator.getStartupProbe().getHttpGet().getPath());
        for (var probe : List.of(operator.getLivenessProbe(), operator.getReadinessProbe(), operator.getStartupProbe())) {
            assertEquals("management", probe.getHttpGet().getPort().getStrVal(), "probes on the management port");
        }
        assertEquals(new Quantity("256Mi"), operator.getResources().getRequests().get("memory"));

        // Redis: the URL names the in-chart Service, which selects the StatefulSet's pods; one password Secret
        Map<String, EnvVar> env = env(operator);
        assertEquals("redis://" + REDIS + ":6379", env.get("QUARKUS_REDIS_HOSTS").getValue());
        Service redisService = defaults.named(Service.class, REDIS);
        assertEquals(6379, redisService.getSpec().getPorts().get(0).getPort());
        StatefulSet redis = defaults.named(StatefulSet.class, REDIS);
        Map<String, String> podLabels = redis.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(redisService.getSpec().getSelector().entrySet()));
        Secret secret = defaults.named(Secret.class, REDIS);
        assertEquals(44, secret.getData().get("redis-password").length(), "32 random characters, base64");
        var passwordRef = env.get("QUARKUS_REDIS_PASSWORD").getValueFrom().getSecretKeyRef();
        assertEquals(REDIS, passwordRef.getName());
        assertEquals("redis-password", passwordRef.getKey());
        Container redisContainer = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(redisContainer.getCommand().containsAll(List.of("--requirepass", "$(REDIS_PASSWORD)")));
        assertEquals(REDIS, env(redisContainer).get("REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertEquals(new Quantity("1Gi"), redis.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources()
                .getRequests().get("storage"));

        // all namespaces, the Lease where the operator runs
        assertFalse(env.containsKey("QUARKUS_OPERATOR_SDK_NAMESPACES"), "no list: every namespace");
        assertEquals("metadata.namespace", env.get("CSO_LEADER_ELECTION_LEASE_NAMESPACE").getValueFrom().getFieldRef()
                .getFieldPath());
    }

    /** Every field of every rendered object is one the Kubernetes API knows (a typo would be dropped silently). */
    @Test
    void everyRenderedFieldIsAKubernetesField() {
        for (Rendered rendered : all()) {
            for (HasMetadata o : rendered.objects()) {
                assertEquals(List.of(), UnknownFields.of(o), o.getKind() + " " + o.getMetadata().getName());
            }
        }
    }

    /** Every namespaced object names its namespace, so the plain manifests (helm template) install as rendered. */
    @Test
    void everyNamespacedObjectNamesItsNamespace() {
        for (Rendered rendered : all()) {
            for (HasMetadata o : rendered.objects()) {
                String what = o.getKind() + " " + o.getMetadata().getName();
                if (o instanceof ClusterRole || o instanceof ClusterRoleBinding || o instanceof APIService
                        || o instanceof ValidatingWebhookConfiguration) {
                    assertEquals(null, o.getMetadata().getNamespace(), what);
                } else if (o instanceof Role || o instanceof RoleBinding || o instanceof NetworkPolicy
                        && o.getMetadata().getName().endsWith("-runner")) {
                    assertTrue(Set.of(NS, "team-a", "team-b", "kube-system").contains(o.getMetadata().getNamespace()), what);
                } else {
                    assertEquals(NS, o.getMetadata().getNamespace(), what);
                }
            }
        }
    }

    @Test
    void theInChartRedisRefusesWritesBeforeItsContainerLimitAndNeverEvicts() {
        StatefulSet redis = defaults.named(StatefulSet.class, REDIS);
        List<String> command = redis.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand();
        assertEquals("192mb", command.get(command.indexOf("--maxmemory") + 1));
        assertEquals("noeviction", command.get(command.indexOf("--maxmemory-policy") + 1), "the history is never dropped");
        long limit = redis.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory")
                .getNumericalAmount().longValue();
        assertTrue(192L * 1024 * 1024 < limit * 0.8, "room for the AOF rewrite and client buffers under " + limit);
    }

    @Test
    void thePolicyReachesTheOperatorOnlyWhenSet() {
        var env = env(operatorContainer(defaults.operator()));
        assertNull(env.get("CSO_POLICY_ALLOWED_ENV"));
        assertNull(env.get("CSO_POLICY_SETTING_SOURCES"), "no setting sources: the operator's default");
        Rendered set = HelmChart.render(List.of(), Map.of("policy.allowedEnv[0]", "HTTPS_PROXY", "policy.allowedEnv[1]",
                "NO_PROXY", "policy.settingSources[0]", "user"));
        var setEnv = env(operatorContainer(set.operator()));
        assertEquals("HTTPS_PROXY,NO_PROXY", setEnv.get("CSO_POLICY_ALLOWED_ENV").getValue());
        assertEquals("user", setEnv.get("CSO_POLICY_SETTING_SOURCES").getValue());
        assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("policy.settingSources[0]", "everything")));
        Rendered ceilings = HelmChart.render(List.of(), Map.of("policy.deniedPermissionModes[0]", "bypassPermissions",
                "policy.maxBudgetUsd", "5", "policy.maxTimeout", "1h", "policy.allowedServiceAccounts[0]", "claude-runner"));
        var ceilingEnv = env(operatorContainer(ceilings.operator()));
        assertEquals("bypassPermissions", ceilingEnv.get("CSO_POLICY_DENIED_PERMISSION_MODES").getValue());
        assertEquals("5", ceilingEnv.get("CSO_POLICY_MAX_BUDGET_USD").getValue());
        assertEquals("1h", ceilingEnv.get("CSO_POLICY_MAX_TIMEOUT").getValue());
        assertEquals("claude-runner", ceilingEnv.get("CSO_POLICY_ALLOWED_SERVICE_ACCOUNTS").getValue());
        assertNull(ceilingEnv.get("CSO_POLICY_MAX_TURNS"));
        assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("policy.maxTurns", "many")));
        Rendered placement = HelmChart.render(List.of(), Map.of("policy.allowedTolerationKeys[0]", "gpu",
                "policy.allowedPodLabelKeys[0]", "team", "policy.allowedPodLabelKeys[1]", "cost-center"));
        var placementEnv = env(operatorContainer(placement.operator()));
        assertEquals("gpu", placementEnv.get("CSO_POLICY_ALLOWED_TOLERATION_KEYS").getValue());
        assertEquals("team,cost-center", placementEnv.get("CSO_POLICY_ALLOWED_POD_LABEL_KEYS").getValue());
        assertNull(placementEnv.get("CSO_POLICY_ALLOWED_NODE_SELECTOR_KEYS"));
    }

    @Test
    void aMessageRetentionReachesTheOperatorOnlyWhenSet() {
        assertNull(env(operatorContainer(defaults.operator())).get("CSO_MESSAGES_TTL_AFTER_FINISHED"), "kept until deleted");
        Rendered retained = HelmChart.render(List.of(), Map.of("messages.ttlAfterFinished", "7d"));
        assertEquals("7d", env(operatorContainer(retained.operator())).get("CSO_MESSAGES_TTL_AFTER_FINISHED").getValue());
        assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("messages.ttlAfterFinished", "a week")));
    }

    /**
     * The image's run-java.sh would start the JVM with the Parallel collector; the chart names the one the benchmark
     * measures, and takes JVM -XX: flags only (the value is word-split into the java command line).
     */
    @Test
    void theJvmsCollectorIsTheChartsAndOnlyXxFlagsAreTaken() {
        assertEquals("-XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:TieredStopAtLevel=1",
                env(operatorContainer(defaults.operator())).get("GC_CONTAINER_OPTIONS").getValue());
        Rendered g1 = HelmChart.render(List.of(), Map.of("jvmOptions", "-XX:+UseG1GC -XX:MaxGCPauseMillis=50"));
        assertEquals("-XX:+UseG1GC -XX:MaxGCPauseMillis=50",
                env(operatorContainer(g1.operator())).get("GC_CONTAINER_OPTIONS").getValue());
        for (String hostile : List.of("-javaagent:/tmp/a.jar", "-XX:+UseSerialGC -javaagent:/tmp/a.jar",
                "-XX:+UseSerialGC; rm -rf /", "-XX:+UseSerialGC $(id)", "",
                "-XX:+UseSerialGC -XX:OnOutOfMemoryError=reboot", "-XX:+UseSerialGC -XX:OnError=sh",
                "-XX:+UseSerialGC -XX:Flags=.hotspotrc")) {
            assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("jvmOptions", hostile)),
                    hostile);
        }
    }

    @Test
    void runLimitsReachTheOperatorOnlyWhenSet() {
        Map<String, EnvVar> none = env(operatorContainer(defaults.operator()));
        assertNull(none.get("CSO_LIMITS_MAX_RUNNING"), "no limit by default");
        assertNull(none.get("CSO_LIMITS_MAX_RUNNING_PER_NAMESPACE"));
        assertEquals("70", none.get("JAVA_MAX_MEM_RATIO").getValue(), "the heap sized for the container's limit");
        Rendered limited = HelmChart.render(List.of(), Map.of("limits.maxRunning", 50, "limits.maxRunningPerNamespace", 10));
        Map<String, EnvVar> env = env(operatorContainer(limited.operator()));
        assertEquals("50", env.get("CSO_LIMITS_MAX_RUNNING").getValue());
        assertEquals("10", env.get("CSO_LIMITS_MAX_RUNNING_PER_NAMESPACE").getValue());
        assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("limits.maxRunning", 0)));
        assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), Map.of("limits.maxRunning", "many")));
    }

    @Test
    void valuesReachTheDeployment() {
        Rendered rendered = HelmChart.render(List.of(), Map.of("image.repository", "registry.example/cso", "image.tag",
                "9.9.9", "replicas", 3, "resources.limits.memory", "1Gi", "extraEnv[0].name", "QUARKUS_LOG_LEVEL",
                "extraEnv[0].value", "DEBUG", "job.ttlSecondsAfterFinished", 600));
        Deployment deployment = rendered.operator();
        Container operator = operatorContainer(deployment);
        assertEquals("registry.example/cso:9.9.9", operator.getImage());
        assertEquals(3, deployment.getSpec().getReplicas());
        assertEquals(new Quantity("1Gi"), operator.getResources().getLimits().get("memory"));
        Map<String, EnvVar> env = env(operator);
        assertEquals("DEBUG", env.get("QUARKUS_LOG_LEVEL").getValue());
        assertEquals("600", env.get("CSO_JOB_TTL_SECONDS_AFTER_FINISHED").getValue());

        // the namespaced value set carries the session defaults and the watched namespaces
        Map<String, EnvVar> teams = env(operatorContainer(namespaced.operator()));
        assertEquals("team-a,team-b", teams.get("QUARKUS_OPERATOR_SDK_NAMESPACES").getValue());
        Map<String, String> expected = Map.of("CSO_DEFAULTS_CREDENTIALS_SECRET", "anthropic", "CSO_DEFAULTS_MODEL",
                "sonnet", "CSO_DEFAULTS_PERMISSION_MODE", "acceptEdits", "CSO_DEFAULTS_TIMEOUT", "1h",
                "CSO_DEFAULTS_STATE_SIZE", "2Gi", "CSO_DEFAULTS_STORAGE_CLASS_NAME", "fast", "CSO_DEFAULTS_CPU_REQUEST",
                "250m", "CSO_DEFAULTS_MEMORY_REQUEST", "512Mi", "CSO_DEFAULTS_MEMORY_LIMIT", "1Gi");
        expected.forEach((name, value) -> assertEquals(value, teams.get(name) == null ? null : teams.get(name).getValue(), name));
        assertFalse(teams.containsKey("CSO_DEFAULTS_CPU_LIMIT"), "unset values leave the operator's default");
        assertFalse(teams.containsKey("CSO_DEFAULTS_SERVICE_ACCOUNT_NAME"));
    }

    /**
     * The one deliberate difference: the credential gateway is off in the operator (local mode, the tests) and on in
     * the chart, which also tells it its Service and signing Secret (settings without a built-in default).
     */
    static final Map<String, String> CHART_DIFFERS = Map.of("CSO_GATEWAY_ENABLED", "true");
    static final Set<String> CHART_NAMES_FOR_THE_GATEWAY = Set.of("CSO_GATEWAY_URL", "CSO_GATEWAY_SIGNING_SECRET");

    /** The chart's defaults are the operator's: an install without values behaves like the built-in config. */
    @Test
    void chartDefaultsAreTheOperatorDefaults() throws Exception {
        Map<String, EnvVar> env = env(operatorContainer(defaults.operator()));
        Map<String, String> builtIn = new HashMap<>();
        collectDefaults(OperatorConfig.class, "CSO", builtIn);
        assertTrue(builtIn.containsKey("CSO_DEFAULTS_IMAGE"), builtIn.toString());
        builtIn.forEach((name, value) -> assertEquals(CHART_DIFFERS.getOrDefault(name, value),
                env.get(name) == null ? null : env.get(name).getValue(),
                name + " in values.yaml differs from OperatorConfig's @WithDefault"));
        Set<String> chartCso = env.keySet().stream().filter(n -> n.startsWith("CSO_")).collect(Collectors.toSet());
        chartCso.removeAll(Set.of("CSO_LEADER_ELECTION_LEASE_NAMESPACE", "CSO_LEADER_ELECTION_LEASE_NAME"));
        chartCso.removeAll(CHART_NAMES_FOR_THE_GATEWAY);
        assertEquals(builtIn.keySet(), chartCso, "the default install sets only what has a built-in default");
    }

    @Test
    void externalRedisReplacesTheInChartOne() {
        Map<String, EnvVar> env = env(operatorContainer(externalRedis.operator()));
        assertEquals("redis://sentinel-0.redis:26379,redis://sentinel-1.redis:26379,redis://sentinel-2.redis:26379",
                env.get("QUARKUS_REDIS_HOSTS").getValue());
        assertEquals("sentinel", env.get("QUARKUS_REDIS_CLIENT_TYPE").getValue());
        assertEquals("history", env.get("QUARKUS_REDIS_MASTER_NAME").getValue());
        var ref = env.get("QUARKUS_REDIS_PASSWORD").getValueFrom().getSecretKeyRef();
        assertEquals("history-redis", ref.getName());
        assertEquals("password", ref.getKey());
        assertTrue(externalRedis.all(StatefulSet.class).isEmpty());
        assertEquals(List.of(HelmChart.RELEASE + "-gateway", HelmChart.RELEASE + "-tls"), externalRedis.all(Secret.class).stream().map(o -> o.getMetadata().getName())
                .toList(), "the external password Secret is the user's (the gateway's and the serving certificate's are the chart's)");
        assertTrue(externalRedis.find(Service.class, s -> s.getMetadata().getName().equals(REDIS)).isEmpty());

        var missing = assertThrows(IllegalStateException.class,
                () -> HelmChart.render(List.of(), Map.of("redis.enabled", false)));
        assertTrue(missing.getMessage().contains("redis.external.url is required"), missing.getMessage());
    }

    @Test
    void namespacedRbacGrantsOnlyInTheWatchedNamespaces() {
        List<Role> reconcilerRoles = namespaced.all(Role.class).stream()
                .filter(r -> r.getRules().stream().anyMatch(rule -> rule.getApiGroups().contains("claude.sessionops.dev")))
                .toList();
        assertEquals(Set.of("team-a", "team-b"),
                reconcilerRoles.stream().map(r -> r.getMetadata().getNamespace()).collect(Collectors.toSet()));
        assertEquals(2, reconcilerRoles.size());

        Set<Grant> grants = grants(namespaced);
        Set<String> where = grants.stream().map(Grant::where).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of(RbacGrants.CLUSTER, "team-a", "team-b", NS, "kube-system")), where);
        Set<Grant> clusterWide = grants.stream().filter(g -> g.where().equals(RbacGrants.CLUSTER)).collect(Collectors.toSet());
        // cluster-wide: reading the CRDs, and what the read API asks about callers (all cluster-scoped resources)
        assertEquals(Set.of("apiextensions.k8s.io/customresourcedefinitions get", "apiextensions.k8s.io/customresourcedefinitions list",
                "authorization.k8s.io/subjectaccessreviews create", "/namespaces get"),
                clusterWide.stream().map(g -> g.groupResource() + " " + g.verb()).collect(Collectors.toSet()),
                "only cluster-scoped resources are granted cluster-wide");
        Set<Grant> inReleaseNs = grants.stream().filter(g -> g.where().equals(NS)).collect(Collectors.toSet());
        assertEquals(Set.of("coordination.k8s.io/leases", "/secrets"),
                inReleaseNs.stream().map(Grant::groupResource).collect(Collectors.toSet()),
                "only the Lease and the gateway's Secrets where it runs");
        assertEquals(authConfigReader(), inNamespace(grants, "kube-system"), "only the authentication ConfigMap in kube-system");

        // the two namespaces get the same grants, which are those of the cluster-scoped mode
        Set<Grant> teamA = inNamespace(grants, "team-a");
        Set<Grant> teamB = inNamespace(grants, "team-b").stream().map(g -> g.in("team-a")).collect(Collectors.toSet());
        RbacGrants.assertSame(teamA, teamB, "team-b versus team-a");
        Set<Grant> clusterMode = grants(defaults).stream().filter(g -> g.where().equals(RbacGrants.CLUSTER)
                && !g.groupResource().equals("apiextensions.k8s.io/customresourcedefinitions")
                && !CLUSTER_SCOPED.contains(g.resource())).map(g -> g.in("team-a"))
                .collect(Collectors.toSet());
        RbacGrants.assertSame(clusterMode, teamA, "namespaced versus cluster mode");

        var none = assertThrows(IllegalStateException.class,
                () -> HelmChart.render(List.of(), Map.of("rbac.scope", "namespaced")));
        assertTrue(none.getMessage().contains("watchNamespaces"), none.getMessage());
    }

    @Test
    void rbacHasNoWildcardsAndNoSecretsOfTenants() {
        for (Rendered rendered : all()) {
            for (PolicyRule rule : RbacGrants.allRules(rendered.objects())) {
                for (List<String> field : Arrays.asList(rule.getApiGroups(), rule.getResources(), rule.getVerbs(),
                        rule.getResourceNames(), rule.getNonResourceURLs())) {
                    if (field != null) {
                        assertTrue(field.stream().noneMatch(v -> v.contains("*")), "wildcard in " + rule);
                    }
                }
            }
            for (Grant g : grants(rendered)) {
                if (g.groupResource().equals("/secrets")) {
                    // the kubelet resolves a run's credentials with the pod's rights; the operator reads none of a tenant's
                    assertEquals(NS, g.where(), "Secrets never cluster-wide nor in a tenant's namespace: " + g);
                    assertEquals("get", g.verb(), "Secrets are read by name only: " + g);
                    assertTrue(g.resourceNames() != null && !g.resourceNames().isEmpty(), "by name: " + g);
                }
            }
        }
    }

    /**
     * The operator SDK (5.3.2's LeaderElectionManager) refuses to start unless the rules on leases in the Lease's
     * namespace, unnamed or naming the Lease, together grant get, create and update; the client renews by patch.
     * The Lease is the one the operator is told to use, and nothing but creating is granted on other Leases.
     */
    @Test
    void leaseGrantsSatisfyTheSdkCheck() throws Exception {
        for (Rendered rendered : all()) {
            Map<String, EnvVar> env = env(operatorContainer(rendered.operator()));
            String lease = env.get("CSO_LEADER_ELECTION_LEASE_NAME").getValue();
            assertEquals("metadata.namespace", env.get("CSO_LEADER_ELECTION_LEASE_NAMESPACE").getValueFrom().getFieldRef()
                    .getFieldPath(), "the Lease lives where the operator runs");
            Set<Grant> leases = grants(rendered).stream().filter(g -> g.groupResource().equals("coordination.k8s.io/leases"))
                    .collect(Collectors.toSet());
            assertTrue(leases.stream().allMatch(g -> g.where().equals(NS)), "only in the release namespace: " + leases);
            Set<String> verbs = leases.stream().filter(g -> g.resourceNames().isEmpty() || g.resourceNames().contains(lease))
                    .map(Grant::verb).collect(Collectors.toSet());
            assertTrue(verbs.containsAll(List.of("get", "create", "update", "patch")), verbs.toString());
            assertEquals(Set.of("create"), leases.stream().filter(g -> g.resourceNames().isEmpty()).map(Grant::verb)
                    .collect(Collectors.toSet()), "any other Lease: create only (RBAC cannot name what is created)");
        }
        String builtIn = OperatorConfig.LeaderElection.class.getMethod("leaseName").getAnnotation(WithDefault.class).value();
        assertEquals(builtIn, env(operatorContainer(defaults.operator())).get("CSO_LEADER_ELECTION_LEASE_NAME").getValue(),
                "the default install uses the operator's default Lease");
        Rendered other = HelmChart.render(List.of(), Map.of("fullnameOverride", "cso-b"));
        assertEquals("cso-b", env(operatorContainer(other.operator())).get("CSO_LEADER_ELECTION_LEASE_NAME").getValue(),
                "releases never share a Lease");
    }

    @Test
    void podsAreRestricted() {
        for (Rendered rendered : all()) {
            List<PodSpec> pods = new ArrayList<>();
            rendered.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
            rendered.all(StatefulSet.class).forEach(s -> pods.add(s.getSpec().getTemplate().getSpec()));
            assertEquals(rendered == externalRedis ? 1 : 2, pods.size());
            for (PodSpec pod : pods) {
                var podContext = pod.getSecurityContext();
                assertEquals("RuntimeDefault", podContext.getSeccompProfile().getType());
                assertEquals(Boolean.TRUE, podContext.getRunAsNonRoot());
                assertTrue(podContext.getRunAsUser() != null && podContext.getRunAsUser() > 0);
                assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                        || Boolean.TRUE.equals(pod.getHostIPC()));
                assertTrue(pod.getVolumes().stream().allMatch(v -> v.getHostPath() == null));
                for (Container c : pod.getContainers()) {
                    var sc = c.getSecurityContext();
                    assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), c.getName());
                    assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), c.getName());
                    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), c.getName());
                    assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
                    assertFalse(Boolean.TRUE.equals(sc.getPrivileged()));
                }
            }
            // with a read-only root, the JVM's temporary files need a writable /tmp
            PodSpec operatorPod = rendered.operator().getSpec().getTemplate().getSpec();
            var tmp = operatorContainer(rendered.operator()).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
            assertNotNull(operatorPod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                    .orElseThrow().getEmptyDir());
        }
    }

    /** The operator image runs as quarkus.jib.user; the pod security context must name the same non-root uid. */
    @Test
    void operatorImageUserIsThePodUser() throws Exception {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            props.load(in);
        }
        long jibUser = Long.parseLong(props.getProperty("quarkus.jib.user"));
        assertEquals(jibUser, defaults.operator().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());
        assertTrue(jibUser > 0);
        assertEquals("false", props.getProperty("quarkus.container-image.build"), "no image build on a plain package");
    }

    @Test
    void serviceMonitorAndNetworkPolicyOnlyWhenEnabled() {
        for (Rendered rendered : List.of(defaults, externalRedis, namespaced)) {
            assertTrue(rendered.ofKind("ServiceMonitor").isEmpty());
            assertTrue(rendered.all(NetworkPolicy.class).stream().allMatch(p -> p.getMetadata().getName().endsWith("-runner")),
                    "only the runner pods' policy (runnerNetworkPolicy, on by default)");
        }
        Service service = metrics.named(Service.class, HelmChart.RELEASE);
        Map<String, Integer> servicePorts = service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(ServicePort::getName, ServicePort::getPort));
        assertEquals(Map.of("https", 443, "management", 9000, "gateway", 8088), servicePorts);
        service.getSpec().getPorts().forEach(p -> assertEquals(p.getName(), p.getTargetPort().getStrVal()));

        GenericKubernetesResource monitor = (GenericKubernetesResource) metrics.ofKind("ServiceMonitor").get(0);
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release"));
        Map<String, Object> endpoint = monitor.get("spec", "endpoints", 0);
        assertEquals("management", endpoint.get("port"), "metrics are on the management interface");
        assertEquals("/q/metrics", endpoint.get("path"));
        assertEquals("15s", endpoint.get("interval"));
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()), "selects the Service");

        NetworkPolicy operatorPolicy = metrics.named(NetworkPolicy.class, HelmChart.RELEASE);
        assertEquals(List.of("Ingress", "Egress"), operatorPolicy.getSpec().getPolicyTypes());
        assertTrue(metrics.operator().getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(operatorPolicy.getSpec().getPodSelector().getMatchLabels().entrySet()));
        // the API port from anywhere (the kube-apiserver is no pod; the port requires its client certificate), the
        // management port only from Prometheus
        Map<String, NetworkPolicyIngressRule> ingress = operatorPolicy.getSpec().getIngress().stream()
                .collect(Collectors.toMap(r -> r.getPorts().get(0).getPort().getStrVal(), Function.identity()));
        assertEquals(Set.of("https", "management", "gateway"), ingress.keySet());
        operatorPolicy.getSpec().getIngress().forEach(r -> assertEquals(1, r.getPorts().size()));
        assertTrue(ingress.get("https").getFrom() == null || ingress.get("https").getFrom().isEmpty(), "https: any source");
        assertEquals(1, ingress.get("management").getFrom().size());
        assertEquals("prometheus", ingress.get("management").getFrom().get(0).getPodSelector().getMatchLabels()
                .get("app.kubernetes.io/name"));
        // apiFrom narrows the API port; an empty metricsFrom closes the management port
        var narrowed = certManager.named(NetworkPolicy.class, HelmChart.RELEASE).getSpec().getIngress().stream()
                .filter(r -> !r.getPorts().get(0).getPort().getStrVal().equals("gateway")).toList();
        assertEquals(1, narrowed.size(), "no management rule without metricsFrom");
        assertEquals("https", narrowed.get(0).getPorts().get(0).getPort().getStrVal());
        assertEquals("10.0.0.0/24", narrowed.get(0).getFrom().get(0).getIpBlock().getCidr());
        List<NetworkPolicyEgressRule> egress = operatorPolicy.getSpec().getEgress();
        Set<Integer> egressPorts = egress.stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
        assertEquals(Set.of(53, 443, 6443, 6379), egressPorts, "DNS, the API server, Redis, the gateway's upstream");
        assertTrue(egress.stream().anyMatch(r -> r.getTo() != null && r.getTo().stream()
                .anyMatch(p -> p.getIpBlock() != null && p.getIpBlock().getCidr().equals("10.96.0.1/32"))));
        NetworkPolicy redisPolicy = metrics.named(NetworkPolicy.class, REDIS);
        assertEquals("operator", redisPolicy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector()
                .getMatchLabels().get("app.kubernetes.io/component"));
    }

    /**
     * The runner pods run the agent's tools: in each watched namespace they get nothing in and only DNS and public
     * addresses out (the model API, git hosts) — not the metadata endpoint, the API server, the operator or Redis.
     */
    @Test
    void runnerPodsGetAnEgressPolicyInEachWatchedNamespace() {
        assertTrue(defaults.all(NetworkPolicy.class).isEmpty(), "every namespace watched: none rendered (NOTES says so)");
        List<NetworkPolicy> runner = namespaced.all(NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().equals(HelmChart.RELEASE + "-runner")).toList();
        assertEquals(List.of("team-a", "team-b"), runner.stream().map(p -> p.getMetadata().getNamespace()).toList());
        NetworkPolicy policy = runner.get(0);
        assertEquals(Map.of("app.kubernetes.io/managed-by", "claude-session-operator", "app.kubernetes.io/component",
                dev.sessionops.claude.message.JobSpecBuilder.COMPONENT), policy.getSpec().getPodSelector().getMatchLabels(),
                "the labels the operator puts on its Job pods (a user's podLabels cannot override them)");
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        assertTrue(policy.getSpec().getIngress() == null || policy.getSpec().getIngress().isEmpty(), "nothing comes in");
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertEquals(3, egress.size(), "DNS, the gateway (on by default), public addresses");
        assertEquals("kube-dns", egress.get(0).getTo().get(0).getPodSelector().getMatchLabels().get("k8s-app"));
        assertEquals(Set.of(53), egress.get(0).getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));
        egress = List.of(egress.get(0), egress.get(2));
        var v4 = egress.get(1).getTo().get(0).getIpBlock();
        assertEquals("0.0.0.0/0", v4.getCidr());
        assertTrue(v4.getExcept().containsAll(List.of("169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")),
                "no metadata endpoint, nothing cluster-internal: " + v4.getExcept());
        assertEquals("::/0", egress.get(1).getTo().get(1).getIpBlock().getCidr());
        assertEquals(Set.of(443, 22), egress.get(1).getPorts().stream().map(p -> p.getPort().getIntVal()).collect(Collectors.toSet()));

        Rendered listed = HelmChart.render(List.of(), Map.of("runnerNetworkPolicy.namespaces[0]", "team-z"));
        assertEquals(List.of("team-z"), listed.all(NetworkPolicy.class).stream().map(p -> p.getMetadata().getNamespace()).toList());
        Rendered off = HelmChart.render(List.of(HelmChart.CI.resolve("namespaced-values.yaml")),
                Map.of("runnerNetworkPolicy.enabled", false));
        assertTrue(off.all(NetworkPolicy.class).isEmpty());
    }

    /**
     * The credential gateway, on by default: every operator pod serves it on its own port behind the Service, the
     * operator is told how runs reach it and which Secret signs their tokens (generated), and reads exactly the
     * signing Secret and the registered key Secrets, by name, in its own namespace; the keys' mapping reaches it as a
     * file (key names keep their case), with no key's value in it.
     */
    @Test
    void theCredentialGatewayIsOnByDefaultAndReadsOnlyItsOwnSecrets() throws Exception {
        Map<String, EnvVar> env = env(operatorContainer(defaults.operator()));
        assertEquals("true", env.get("CSO_GATEWAY_ENABLED").getValue());
        assertEquals("http://" + HelmChart.RELEASE + "." + NS + ".svc:8088", env.get("CSO_GATEWAY_URL").getValue());
        assertEquals("0.0.0.0", env.get("CSO_GATEWAY_HOST").getValue());
        assertEquals("8088", env.get("CSO_GATEWAY_PORT").getValue());
        assertEquals("https://api.anthropic.com", env.get("CSO_GATEWAY_UPSTREAM").getValue());
        String signing = HelmChart.RELEASE + "-gateway";
        assertEquals(signing, env.get("CSO_GATEWAY_SIGNING_SECRET").getValue());
        assertEquals(88, defaults.named(Secret.class, signing).getData().get("signing-key").length(),
                "64 random characters, base64");
        assertFalse(env.containsKey("CSO_GATEWAY_NAMESPACE_BUDGET_USD"), "no budget unless set");
        assertEquals(Set.of(signing), secretsGranted(defaults), "only its signing key, by name");

        Rendered keyed = HelmChart.render(List.of(), Map.of("gateway.keys.team-a.secret", "anthropic-team-a",
                "gateway.keys.team-a.namespaces[0]", "team-a", "gateway.keys.team-a.namespaces[1]", "team-b",
                "gateway.keys.rest.secret", "anthropic-rest", "gateway.keys.rest.key", "KEY",
                "gateway.keys.rest.namespaces[0]", "*", "gateway.namespaceBudgetUsd", 25));
        assertEquals(Set.of(signing, "anthropic-team-a", "anthropic-rest"), secretsGranted(keyed),
                "the key Secrets too, by name, in the release namespace");
        Map<String, EnvVar> keyedEnv = env(operatorContainer(keyed.operator()));
        assertEquals("25", keyedEnv.get("CSO_GATEWAY_NAMESPACE_BUDGET_USD").getValue());
        String file = keyed.named(ConfigMap.class, HelmChart.RELEASE + "-defaults").getData().get("defaults.properties");
        Properties props = new Properties();
        props.load(new StringReader(file));
        assertEquals(Map.of("cso.gateway.keys.team-a.secret", "anthropic-team-a", "cso.gateway.keys.team-a.key",
                "ANTHROPIC_API_KEY", "cso.gateway.keys.team-a.namespaces", "team-a,team-b", "cso.gateway.keys.rest.secret",
                "anthropic-rest", "cso.gateway.keys.rest.key", "KEY", "cso.gateway.keys.rest.namespaces", "*"), toMap(props));
        assertEquals("file:/etc/claude-session-operator/defaults.properties",
                keyedEnv.get("QUARKUS_CONFIG_LOCATIONS").getValue());
        // the operator reads that file as the mapping the gateway uses
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter()).withMapping(OperatorConfig.class)
                .withSources(new PropertiesConfigSource(toMap(props), "defaults.properties", 100)).build();
        var mappings = dev.sessionops.claude.gateway.KeyMappings.of(config.getConfigMapping(OperatorConfig.class).gateway().keys());
        assertEquals("anthropic-team-a", mappings.forNamespace("team-b").orElseThrow().secret());
        assertEquals("anthropic-rest", mappings.forNamespace("team-z").orElseThrow().secret());

        Rendered off = HelmChart.render(List.of(), Map.of("gateway.enabled", false, "gateway.keys.a.secret", "key-a",
                "gateway.keys.a.namespaces[0]", "team-a"));
        assertEquals("false", env(operatorContainer(off.operator())).get("CSO_GATEWAY_ENABLED").getValue());
        assertTrue(secretsGranted(off).isEmpty(), "no gateway, no Secret read in the release namespace");
        assertTrue(off.find(Secret.class, x -> x.getMetadata().getName().equals(signing)).isEmpty());
        assertFalse(off.named(Service.class, HelmChart.RELEASE).getSpec().getPorts().stream()
                .anyMatch(p -> p.getName().equals("gateway")));
        assertTrue(off.find(ConfigMap.class, x -> x.getMetadata().getName().endsWith("-defaults")).isEmpty());

        for (Map<String, Object> bad : List.of(Map.<String, Object>of("gateway.upstream", "ftp://example.com"),
                Map.<String, Object>of("gateway.keys.Team_A.secret", "s", "gateway.keys.Team_A.namespaces[0]", "a"),
                Map.<String, Object>of("gateway.keys.a.namespaces[0]", "team-a"),
                Map.<String, Object>of("gateway.port", 0), Map.<String, Object>of("gateway.namespaceBudgetUsd", -1))) {
            var e = assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), bad), bad.toString());
            assertTrue(e.getMessage().contains("schema"), e.getMessage());
        }
    }

    /**
     * With the gateway the runner pods reach the model API through it: an egress rule to the operator pods on the
     * gateway's port (git hosts keep public 443 and 22); without it, no such rule. The operator pods admit runner pods
     * to that port only.
     */
    @Test
    void runnerPodsReachTheGatewayOnlyWhenItIsOn() {
        NetworkPolicy on = namespaced.all(NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().equals(HelmChart.RELEASE + "-runner")).findFirst().orElseThrow();
        NetworkPolicyEgressRule toGateway = on.getSpec().getEgress().get(1);
        assertEquals(Map.of("kubernetes.io/metadata.name", NS), toGateway.getTo().get(0).getNamespaceSelector().getMatchLabels());
        assertTrue(namespaced.operator().getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(toGateway.getTo().get(0).getPodSelector().getMatchLabels().entrySet()), "selects the operator pods");
        assertEquals(List.of(8088), toGateway.getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
        assertEquals(Set.of(443, 22), on.getSpec().getEgress().get(2).getPorts().stream().map(p -> p.getPort().getIntVal())
                .collect(Collectors.toSet()), "git hosts as before");

        Rendered offRendered = HelmChart.render(List.of(HelmChart.CI.resolve("namespaced-values.yaml")),
                Map.of("gateway.enabled", false));
        NetworkPolicy off = offRendered.all(NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().equals(HelmChart.RELEASE + "-runner")).findFirst().orElseThrow();
        assertEquals(2, off.getSpec().getEgress().size(), "DNS and public addresses: the model API directly");
        assertTrue(off.getSpec().getEgress().stream().allMatch(r -> r.getTo().stream().allMatch(t -> t.getNamespaceSelector() == null
                || !NS.equals(t.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name")))), "no way to the operator");

        var gatewayIngress = metrics.named(NetworkPolicy.class, HelmChart.RELEASE).getSpec().getIngress().stream()
                .filter(r -> r.getPorts().get(0).getPort().getStrVal().equals("gateway")).findFirst().orElseThrow();
        assertEquals(Map.of("app.kubernetes.io/managed-by", "claude-session-operator", "app.kubernetes.io/component",
                dev.sessionops.claude.message.JobSpecBuilder.COMPONENT), gatewayIngress.getFrom().get(0).getPodSelector()
                        .getMatchLabels(), "only runner pods (of any namespace) reach the gateway");
    }

    /** The Secrets the operator may get in its own namespace; every grant there names them (none is unnamed). */
    private static Set<String> secretsGranted(Rendered rendered) {
        List<Grant> onSecrets = grants(rendered).stream().filter(g -> g.groupResource().equals("/secrets")
                && g.where().equals(NS)).toList();
        assertTrue(onSecrets.stream().allMatch(g -> g.verb().equals("get") && !g.resourceNames().isEmpty()), onSecrets.toString());
        return onSecrets.stream().flatMap(g -> g.resourceNames().stream()).collect(Collectors.toSet());
    }

    static final String API_SERVICE = "v1alpha1.api.claude.sessionops.dev";
    static final String API_GROUP = "api.claude.sessionops.dev";
    /** The name the kube-apiserver verifies the operator's certificate for when it proxies: the Service's. */
    static final String SERVICE_DNS = HelmChart.RELEASE + "." + NS + ".svc";

    /**
     * The chart's own serving certificate (the default): one Secret the operator mounts, whose CA the APIService
     * trusts, for the name the kube-apiserver connects to; and the pods roll when it changes. (An upgrade keeps it,
     * through lookup: only a real API server shows that, see ChartOnRealApiServerE2E.)
     */
    @Test
    void apiServiceTrustsTheGeneratedServingCertificate() throws Exception {
        APIService apiService = defaults.named(APIService.class, API_SERVICE);
        var spec = apiService.getSpec();
        assertEquals(API_GROUP, spec.getGroup());
        assertEquals("v1alpha1", spec.getVersion());
        assertEquals(1000, spec.getGroupPriorityMinimum());
        assertEquals(15, spec.getVersionPriority());
        assertNotEquals(Boolean.TRUE, spec.getInsecureSkipTLSVerify());
        assertEquals(NS, spec.getService().getNamespace());
        Service service = defaults.named(Service.class, spec.getService().getName());
        ServicePort https = service.getSpec().getPorts().stream().filter(p -> p.getPort().equals(spec.getService().getPort()))
                .findFirst().orElseThrow(() -> new AssertionError("the APIService's port is the Service's"));
        assertEquals("https", https.getTargetPort().getStrVal());

        Deployment deployment = defaults.operator();
        Container operator = operatorContainer(deployment);
        Secret secret = defaults.named(Secret.class, tlsSecretName(deployment));
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(secret.getData().get("ca.crt"), spec.getCaBundle(), "the APIService trusts the Secret's CA");
        Map<String, EnvVar> env = env(operator);
        assertEquals(TLS_DIR + "/tls.crt", env.get("QUARKUS_HTTP_SSL_CERTIFICATE_FILES").getValue());
        assertEquals(TLS_DIR + "/tls.key", env.get("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES").getValue());

        X509Certificate ca = x509(secret.getData().get("ca.crt"));
        X509Certificate cert = x509(secret.getData().get("tls.crt"));
        assertTrue(ca.getBasicConstraints() >= 0, "ca.crt is a CA");
        cert.verify(ca.getPublicKey());
        cert.checkValidity();
        Set<String> dnsNames = cert.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == 2)
                .map(n -> (String) n.get(1)).collect(Collectors.toSet());
        assertEquals(Set.of(SERVICE_DNS, SERVICE_DNS + ".cluster.local", HelmChart.RELEASE + "." + NS, HelmChart.RELEASE),
                dnsNames);
        assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "a TLS server certificate");
        try (PEMParser pem = new PEMParser(new StringReader(decode(secret.getData().get("tls.key"))))) {
            KeyPair key = new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) pem.readObject());
            assertEquals(cert.getPublicKey(), key.getPublic(), "tls.key is the certificate's key");
        }

        String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(secret.getData().get("tls.crt").getBytes(StandardCharsets.UTF_8)));
        assertEquals(checksum, deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/tls"),
                "the pods roll when the certificate changes, and the annotation names the certificate rendered");
        assertFalse(env.containsKey("QUARKUS_HTTP_SSL_CERTIFICATE_RELOAD_PERIOD"), "the chart's certificate changes only with a rollout");
    }

    /**
     * The admission webhook by default: our two kinds only, create and update, failing closed, called at the API
     * port's path and trusting the same CA as the APIService (or cert-manager's injection); off, no configuration and
     * the operator does not serve the path.
     */
    @Test
    void theAdmissionWebhookReviewsOurKindsAndFailsClosed() {
        ValidatingWebhookConfiguration configuration = defaults.all(ValidatingWebhookConfiguration.class).get(0);
        assertEquals(1, configuration.getWebhooks().size());
        ValidatingWebhook webhook = configuration.getWebhooks().get(0);
        assertEquals("Fail", webhook.getFailurePolicy());
        assertEquals("None", webhook.getSideEffects());
        assertEquals(List.of("v1"), webhook.getAdmissionReviewVersions());
        assertEquals(1, webhook.getRules().size());
        var rule = webhook.getRules().get(0);
        assertEquals(List.of("claude.sessionops.dev"), rule.getApiGroups());
        assertEquals(List.of("claudesessions", "claudemessages"), rule.getResources(), "not their status: the operator's own");
        assertEquals(List.of("CREATE", "UPDATE"), rule.getOperations());
        assertNull(webhook.getNamespaceSelector(), "every namespace");
        var service = webhook.getClientConfig().getService();
        assertEquals("/admission/v1/validate", service.getPath());
        assertEquals(NS, service.getNamespace());
        APIService apiService = defaults.named(APIService.class, API_SERVICE);
        assertEquals(apiService.getSpec().getService().getName(), service.getName());
        assertEquals(apiService.getSpec().getService().getPort(), service.getPort());
        assertEquals(apiService.getSpec().getCaBundle(), webhook.getClientConfig().getCaBundle(), "the serving certificate's CA");
        assertEquals("true", env(operatorContainer(defaults.operator())).get("CSO_ADMISSION_ENABLED").getValue());

        var scoped = namespaced.all(ValidatingWebhookConfiguration.class).get(0).getWebhooks().get(0).getNamespaceSelector();
        assertEquals("kubernetes.io/metadata.name", scoped.getMatchExpressions().get(0).getKey());
        assertEquals(List.of("team-a", "team-b"), scoped.getMatchExpressions().get(0).getValues(),
                "only the watched namespaces: another release may run the others, with its own policy");

        ValidatingWebhookConfiguration injected = certManager.all(ValidatingWebhookConfiguration.class).get(0);
        assertNull(injected.getWebhooks().get(0).getClientConfig().getCaBundle());
        assertEquals(certManager.named(APIService.class, API_SERVICE).getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from"),
                injected.getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from"));

        Rendered off = HelmChart.render(List.of(), Map.of("admission.enabled", false));
        assertTrue(off.all(ValidatingWebhookConfiguration.class).isEmpty());
        assertEquals("false", env(operatorContainer(off.operator())).get("CSO_ADMISSION_ENABLED").getValue());
    }

    /** With cert-manager: Issuers and Certificates into the Secret the operator mounts, the CA injected, no literal one. */
    @Test
    void certManagerIssuesTheServingCertificateAndInjectsItsCa() {
        APIService apiService = certManager.named(APIService.class, API_SERVICE);
        assertNull(apiService.getSpec().getCaBundle(), "cert-manager's CA injector fills it");
        String inject = apiService.getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from");
        Deployment deployment = certManager.operator();
        String secretName = tlsSecretName(deployment);
        assertTrue(certManager.all(Secret.class).stream().noneMatch(s -> s.getMetadata().getName().equals(secretName)),
                "cert-manager writes the Secret");

        GenericKubernetesResource serving = certManagerObject("Certificate", inject.substring(inject.indexOf('/') + 1));
        assertEquals(NS + "/" + serving.getMetadata().getName(), inject);
        assertEquals(secretName, serving.get("spec", "secretName"));
        List<String> dnsNames = serving.get("spec", "dnsNames");
        assertEquals(SERVICE_DNS, dnsNames.get(0));
        // the serving certificate's Issuer is a CA whose certificate a self-signed Issuer made
        GenericKubernetesResource caIssuer = certManagerObject("Issuer", serving.get("spec", "issuerRef", "name"));
        String caSecret = caIssuer.get("spec", "ca", "secretName");
        GenericKubernetesResource ca = certManager.ofKind("Certificate").stream().map(GenericKubernetesResource.class::cast)
                .filter(c -> caSecret.equals(c.get("spec", "secretName"))).findFirst().orElseThrow();
        assertEquals(Boolean.TRUE, ca.get("spec", "isCA"));
        GenericKubernetesResource selfSigned = certManagerObject("Issuer", ca.get("spec", "issuerRef", "name"));
        assertNotNull(selfSigned.get("spec", "selfSigned"));
        for (HasMetadata o : List.of(serving, caIssuer, ca, selfSigned)) {
            assertEquals("cert-manager.io/v1", o.getApiVersion());
        }

        var annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertTrue(annotations == null || !annotations.containsKey("checksum/tls"));
        assertNotNull(env(operatorContainer(deployment)).get("QUARKUS_HTTP_SSL_CERTIFICATE_RELOAD_PERIOD"),
                "renewed certificates are re-read by the running operator");
        assertTrue(defaults.ofKind("Certificate").isEmpty() && defaults.ofKind("Issuer").isEmpty());
    }

    /** apiService.existingSecret: your Secret mounted, your CA (PEM) in the APIService, or none to patch in yourself. */
    @Test
    void existingSecretIsMountedAndItsCaGivenToTheApiService(@TempDir Path dir) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
        Path values = dir.resolve("own-tls.yaml");
        Files.writeString(values, "apiService:\n  existingSecret: my-tls\n  caBundle: |\n"
                + pem.lines().map(l -> "    " + l + "\n").collect(Collectors.joining()));
        Rendered own = HelmChart.render(List.of(values), Map.of());
        Deployment deployment = own.operator();
        assertEquals("my-tls", tlsSecretName(deployment));
        assertTrue(own.all(Secret.class).stream().noneMatch(s -> "kubernetes.io/tls".equals(s.getType())), "the Secret is yours");
        assertEquals(pem, decode(own.named(APIService.class, API_SERVICE).getSpec().getCaBundle()));
        var annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertTrue(annotations == null || !annotations.containsKey("checksum/tls"));
        assertNotNull(env(operatorContainer(deployment)).get("QUARKUS_HTTP_SSL_CERTIFICATE_RELOAD_PERIOD"),
                "a rotated Secret is re-read by the running operator");

        Rendered unpatched = HelmChart.render(List.of(), Map.of("apiService.existingSecret", "my-tls"));
        assertNull(unpatched.named(APIService.class, API_SERVICE).getSpec().getCaBundle(), "left to kubectl patch");

        var both = assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(),
                Map.of("apiService.existingSecret", "my-tls", "apiService.certManager.enabled", true)));
        assertTrue(both.getMessage().contains("exclude each other"), both.getMessage());
    }

    /** apiService.enabled=false: no APIService and no grant on its group, but the operator still serves TLS. */
    @Test
    void apiServiceCanBeLeftToAnotherRelease() {
        Rendered off = HelmChart.render(List.of(), Map.of("apiService.enabled", false));
        assertTrue(off.all(APIService.class).isEmpty());
        assertTrue(off.find(ClusterRoleBinding.class, b -> b.getMetadata().getName().endsWith("-api-reader")).isEmpty());
        off.named(Secret.class, tlsSecretName(off.operator()));
    }

    /**
     * The kube-apiserver authorizes the aggregated request on api.claude.sessionops.dev before it proxies: every
     * authenticated user may get and list there (the operator authorizes per namespace), and nothing else; the grant
     * can be turned off. Viewing sessions and messages is aggregated into the built-in view role.
     */
    @Test
    void everyAuthenticatedUserMayReachTheApiGroupAndNothingElse() {
        ClusterRoleBinding binding = defaults.named(ClusterRoleBinding.class, HelmChart.RELEASE + "-api-reader");
        assertEquals(1, binding.getSubjects().size());
        assertEquals("Group", binding.getSubjects().get(0).getKind());
        assertEquals("system:authenticated", binding.getSubjects().get(0).getName());
        ClusterRole reader = defaults.named(ClusterRole.class, binding.getRoleRef().getName());
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : reader.getRules()) {
            assertEquals(List.of(API_GROUP), rule.getApiGroups());
            assertEquals(defaults.named(APIService.class, API_SERVICE).getSpec().getGroup(), rule.getApiGroups().get(0));
            rule.getResources().forEach(r -> rule.getVerbs().forEach(v -> granted.add(r + " " + v)));
        }
        Set<String> expected = new TreeSet<>();
        for (String resource : List.of("sessions", "sessions/history", "messages", "messages/history", "messages/log")) {
            expected.add(resource + " get");
            expected.add(resource + " list");
        }
        assertEquals(expected, granted);

        Rendered off = HelmChart.render(List.of(), Map.of("apiService.grantAuthenticated", false));
        assertTrue(off.all(ClusterRoleBinding.class).stream().noneMatch(b -> b.getSubjects().stream()
                .anyMatch(s -> s.getName().equals("system:authenticated"))), "nothing bound to every user");
        off.named(APIService.class, API_SERVICE);

        ClusterRole editor = defaults.named(ClusterRole.class, HelmChart.RELEASE + "-editor");
        assertEquals("true", editor.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-edit"));
        assertEquals(List.of("claude.sessionops.dev"), editor.getRules().get(0).getApiGroups());
        assertEquals(List.of("create", "update", "patch", "delete", "deletecollection"), editor.getRules().get(0).getVerbs());
        assertEquals(1, editor.getRules().size(), "our two kinds, nothing else");
        ClusterRole viewer = defaults.named(ClusterRole.class, HelmChart.RELEASE + "-viewer");
        assertEquals("true", viewer.getMetadata().getLabels().get("rbac.authorization.k8s.io/aggregate-to-view"));
        Set<String> viewed = new TreeSet<>();
        for (PolicyRule rule : viewer.getRules()) {
            assertTrue(Set.of("get", "list", "watch").containsAll(rule.getVerbs()), "read-only: " + rule);
            rule.getApiGroups().forEach(g -> rule.getResources().forEach(r -> viewed.add(g + "/" + r)));
        }
        assertTrue(viewed.containsAll(List.of("claude.sessionops.dev/claudesessions", "claude.sessionops.dev/claudemessages",
                API_GROUP + "/sessions", API_GROUP + "/messages/log")), viewed.toString());
    }

    /**
     * The operator trusts a proxied request's user headers only with a client certificate from the kube-apiserver's
     * requestheader CA, which it reads from ConfigMap kube-system/extension-apiserver-authentication: the built-in
     * Role for exactly that, bound in kube-system, in both RBAC scopes.
     */
    @Test
    void operatorReadsTheFrontProxyCaInKubeSystem() {
        for (Rendered rendered : all()) {
            RoleBinding binding = rendered.find(RoleBinding.class, b -> "kube-system".equals(b.getMetadata().getNamespace()))
                    .orElseThrow();
            assertEquals("Role", binding.getRoleRef().getKind());
            assertEquals("extension-apiserver-authentication-reader", binding.getRoleRef().getName());
            assertEquals(1, binding.getSubjects().size());
            assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
            assertEquals(SA, binding.getSubjects().get(0).getName());
            assertEquals(NS, binding.getSubjects().get(0).getNamespace());
            assertEquals(authConfigReader(), inNamespace(grants(rendered), "kube-system"));
        }
    }

    /**
     * defaults.env travels as a properties file (environment variable names would lose their case as
     * CSO_DEFAULTS_ENV_* variables); what the operator's config reads from it must be exactly the values given,
     * even with characters the properties format and config expressions treat specially.
     */
    @Test
    void defaultsEnvReachesTheOperatorConfigUnchanged(@TempDir Path dir) throws Exception {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("HTTPS_PROXY", "http://proxy.example:3128");
        wanted.put("Mixed_Case", "a=b, c:d #not a comment");
        wanted.put("TRICKY", "${HOME} \\n $1 \\ end");
        wanted.put("MULTI", "line one\nline two");
        StringBuilder values = new StringBuilder("defaults:\n  env:\n");
        wanted.forEach((k, v) -> values.append("    ").append(k).append(": \"")
                .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append("\"\n"));
        Path file = dir.resolve("env-values.yaml");
        Files.writeString(file, values);
        Rendered rendered = HelmChart.render(List.of(file), Map.of());

        Deployment deployment = rendered.operator();
        Container operator = operatorContainer(deployment);
        String location = env(operator).get("QUARKUS_CONFIG_LOCATIONS").getValue();
        var mount = operator.getVolumeMounts().stream().filter(m -> location.startsWith("file:" + m.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(location + " is not mounted"));
        String configMapName = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow().getConfigMap().getName();
        ConfigMap configMap = rendered.named(ConfigMap.class, configMapName);
        String fileName = location.substring(location.lastIndexOf('/') + 1);
        String properties = configMap.getData().get(fileName);
        assertNotNull(properties, fileName + " in " + configMap.getData().keySet());
        assertNotNull(deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/defaults"),
                "pods roll when the file changes");

        Properties parsed = new Properties();
        parsed.load(new StringReader(properties));
        // the same expression handling and converters as the operator's Quarkus runtime
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter()).withMapping(OperatorConfig.class)
                .withSources(new PropertiesConfigSource(toMap(parsed), "defaults.properties", 250)).build();
        assertEquals(wanted, config.getConfigMapping(OperatorConfig.class).defaults().env());
    }

    /**
     * What @RBACRule on the reconcilers asks for (beyond their own resources) is granted, in both RBAC modes; the
     * Lease grants, which the SDK can only generate cluster-wide, in the release namespace.
     */
    private static final Set<String> CLUSTER_SCOPED = Set.of("tokenreviews", "subjectaccessreviews", "namespaces");
    /**
     * The kube-apiserver authenticates the aggregated API's callers, so the operator reviews no tokens: the chart does
     * not grant the @RBACRule the bearer-token API needed (until it goes from the reconciler, it is skipped here).
     */
    private static final Set<String> NO_LONGER_GRANTED = Set.of("tokenreviews");

    @Test
    void everyReconcilerRbacRuleIsGranted() {
        for (Class<?> reconciler : List.of(ClaudeSessionReconciler.class, ClaudeMessageReconciler.class)) {
            RBACRule[] rules = reconciler.getAnnotationsByType(RBACRule.class);
            assertTrue(rules.length > 0, reconciler.getSimpleName());
            for (RBACRule rule : rules) {
                for (String group : rule.apiGroups()) {
                    for (String resource : rule.resources()) {
                        if (NO_LONGER_GRANTED.contains(resource)) {
                            continue;
                        }
                        for (String verb : rule.verbs()) {
                            boolean lease = resource.equals("leases");
                            Grant grant = new Grant(lease ? NS : RbacGrants.CLUSTER, group, resource, verb,
                                    List.of(rule.resourceNames()));
                            assertTrue(grants(defaults).contains(grant), grant + " for " + reconciler.getSimpleName());
                            boolean clusterScoped = CLUSTER_SCOPED.contains(resource);
                            Grant namespaced = lease || clusterScoped ? grant : grant.in("team-b");
                            assertTrue(grants(HelmChartTest.namespaced).contains(namespaced), namespaced + " in namespaced mode");
                        }
                    }
                }
            }
        }
        for (Rendered rendered : all()) {
            assertTrue(grants(rendered).stream().noneMatch(g -> NO_LONGER_GRANTED.contains(g.resource())), "no TokenReviews");
        }
    }

    @Test
    void schemaRejectsBadValues() {
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("rbac.scope", "everywhere"),
                Map.<String, Object>of("defaults.permissionMode", "yolo"), Map.<String, Object>of("defaults.timeout", "soon"),
                Map.<String, Object>of("replicaCount", 2), Map.<String, Object>of("redis.external.clientType", "swarm"),
                Map.<String, Object>of("networkPolicy.ingressFrom[0].podSelector.matchLabels.a", "b"),
                Map.<String, Object>of("apiService.caBundle", "LS0tLS1CRUdJTi"), Map.<String, Object>of("service.port", 0))) {
            var e = assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), bad), bad.toString());
            assertTrue(e.getMessage().contains("schema"), e.getMessage());
        }
    }

    /**
     * The operator's grants; a binding to a built-in Role (extension-apiserver-authentication-reader in kube-system)
     * counts as the rules Kubernetes gives that Role ({@link RbacGrants#BUILT_IN_ROLES}).
     */
    static Set<Grant> grants(Rendered rendered) {
        List<RbacGrants.UnknownRole> unknown = new ArrayList<>();
        Set<Grant> grants = RbacGrants.of(rendered.objects(), NS, SA, unknown);
        assertEquals(List.of(), unknown, "every binding's role is in the chart or a known built-in one");
        return grants;
    }

    /** What the built-in Role extension-apiserver-authentication-reader grants in kube-system. */
    static Set<Grant> authConfigReader() {
        return Set.of("get", "list", "watch").stream().map(verb -> new Grant("kube-system", "", "configmaps", verb,
                List.of("extension-apiserver-authentication"))).collect(Collectors.toSet());
    }

    static Set<Grant> inNamespace(Set<Grant> grants, String namespace) {
        return grants.stream().filter(g -> g.where().equals(namespace)).collect(Collectors.toSet());
    }

    static final String TLS_DIR = "/etc/cso/tls";

    /** The Secret mounted (read-only) where the operator reads its serving certificate. */
    static String tlsSecretName(Deployment deployment) {
        var mount = operatorContainer(deployment).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(TLS_DIR))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + TLS_DIR));
        assertEquals(Boolean.TRUE, mount.getReadOnly());
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                .findFirst().orElseThrow().getSecret().getSecretName();
    }

    private static GenericKubernetesResource certManagerObject(String kind, String name) {
        return certManager.ofKind(kind).stream().map(GenericKubernetesResource.class::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static X509Certificate x509(String base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }

    static Container operatorContainer(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator")).findFirst().orElseThrow();
    }

    static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }

    private static Set<String> names(File[] files) {
        return Arrays.stream(files).map(File::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, String> toMap(Properties props) {
        Map<String, String> map = new HashMap<>();
        props.stringPropertyNames().forEach(n -> map.put(n, props.getProperty(n)));
        return map;
    }

    /** The environment variable names and defaults of the @WithDefault methods of a config mapping, recursively. */
    private static void collectDefaults(Class<?> mapping, String prefix, Map<String, String> into) {
        for (Method m : mapping.getDeclaredMethods()) {
            String name = prefix + "_" + m.getName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
            Optional.ofNullable(m.getAnnotation(WithDefault.class)).ifPresent(d -> into.put(name, d.value()));
            // the Lease's timings stay the operator's; its name and namespace have their own test
            if (m.getReturnType().isInterface() && m.getReturnType().getEnclosingClass() == OperatorConfig.class
                    && m.getReturnType() != OperatorConfig.LeaderElection.class) {
                collectDefaults(m.getReturnType(), name, into);
            }
        }
    }
}
