package dev.sessionops.claude.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sessionops.claude.OperatorConfig;
import dev.sessionops.claude.deploy.HelmChart.Rendered;
import dev.sessionops.claude.deploy.RbacGrants.Grant;
import dev.sessionops.claude.message.ClaudeMessageReconciler;
import dev.sessionops.claude.session.ClaudeSessionReconciler;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
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
 * namespaced RBAC for two namespaces, metrics with ServiceMonitor and NetworkPolicy), checked as Kubernetes objects.
 * The comparison with the RBAC the operator SDK generates needs the packaged build: {@link ChartRbacIT}.
 */
class HelmChartTest {
    static final String SA = HelmChart.RELEASE;
    static final String NS = HelmChart.NAMESPACE;
    static final String REDIS = HelmChart.RELEASE + "-redis";

    static Rendered defaults;
    static Rendered externalRedis;
    static Rendered namespaced;
    static Rendered metrics;

    @BeforeAll
    static void render() {
        defaults = HelmChart.renderDefaults();
        externalRedis = HelmChart.render("external-redis-values.yaml");
        namespaced = HelmChart.render("namespaced-values.yaml");
        metrics = HelmChart.render("metrics-values.yaml");
    }

    static List<Rendered> all() {
        return List.of(defaults, externalRedis, namespaced, metrics);
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
        File[] committed = Path.of("crds").toFile().listFiles((d, n) -> n.endsWith(".yml"));
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
        assertEquals(8080, operator.getPorts().get(0).getContainerPort());
        assertEquals("http", operator.getPorts().get(0).getName());
        assertEquals("/q/health/live", operator.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", operator.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/q/health/started", operator.getStartupProbe().getHttpGet().getPath());
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
                if (o instanceof ClusterRole || o instanceof ClusterRoleBinding) {
                    assertEquals(null, o.getMetadata().getNamespace(), what);
                } else if (o instanceof Role || o instanceof RoleBinding) {
                    assertTrue(Set.of(NS, "team-a", "team-b").contains(o.getMetadata().getNamespace()), what);
                } else {
                    assertEquals(NS, o.getMetadata().getNamespace(), what);
                }
            }
        }
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

    /** The chart's defaults are the operator's: an install without values behaves like the built-in config. */
    @Test
    void chartDefaultsAreTheOperatorDefaults() throws Exception {
        Map<String, EnvVar> env = env(operatorContainer(defaults.operator()));
        Map<String, String> builtIn = new HashMap<>();
        collectDefaults(OperatorConfig.class, "CSO", builtIn);
        assertTrue(builtIn.containsKey("CSO_DEFAULTS_IMAGE"), builtIn.toString());
        builtIn.forEach((name, value) -> assertEquals(value, env.get(name) == null ? null : env.get(name).getValue(),
                name + " in values.yaml differs from OperatorConfig's @WithDefault"));
        Set<String> chartCso = env.keySet().stream().filter(n -> n.startsWith("CSO_")).collect(Collectors.toSet());
        chartCso.removeAll(Set.of("CSO_LEADER_ELECTION_LEASE_NAMESPACE", "CSO_LEADER_ELECTION_LEASE_NAME"));
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
        assertTrue(externalRedis.all(Secret.class).isEmpty(), "the external password Secret is the user's");
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
        assertEquals(new TreeSet<>(Set.of(RbacGrants.CLUSTER, "team-a", "team-b", NS)), where);
        Set<Grant> clusterWide = grants.stream().filter(g -> g.where().equals(RbacGrants.CLUSTER)).collect(Collectors.toSet());
        // cluster-wide: reading the CRDs, and what the HTTP API asks about callers (all cluster-scoped resources)
        assertEquals(Set.of("apiextensions.k8s.io/customresourcedefinitions get", "apiextensions.k8s.io/customresourcedefinitions list",
                "authentication.k8s.io/tokenreviews create", "authorization.k8s.io/subjectaccessreviews create", "/namespaces get"),
                clusterWide.stream().map(g -> g.groupResource() + " " + g.verb()).collect(Collectors.toSet()),
                "only cluster-scoped resources are granted cluster-wide");
        Set<Grant> inReleaseNs = grants.stream().filter(g -> g.where().equals(NS)).collect(Collectors.toSet());
        assertEquals(Set.of("coordination.k8s.io/leases"),
                inReleaseNs.stream().map(Grant::groupResource).collect(Collectors.toSet()), "only the Lease where it runs");

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
    void rbacHasNoWildcardsAndNeverListsSecrets() {
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
                    assertEquals("get", g.verb(), "Secrets are read by name only: " + g);
                }
            }
            assertTrue(grants(rendered).stream().anyMatch(g -> g.groupResource().equals("/secrets")),
                    "the operator reads credentials Secrets");
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
            assertTrue(rendered.all(NetworkPolicy.class).isEmpty());
        }
        Service service = metrics.named(Service.class, HelmChart.RELEASE);
        assertEquals("http", service.getSpec().getPorts().get(0).getName());
        assertEquals(8080, service.getSpec().getPorts().get(0).getPort());

        GenericKubernetesResource monitor = (GenericKubernetesResource) metrics.ofKind("ServiceMonitor").get(0);
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release"));
        Map<String, Object> endpoint = monitor.get("spec", "endpoints", 0);
        assertEquals("http", endpoint.get("port"));
        assertEquals("/q/metrics", endpoint.get("path"));
        assertEquals("15s", endpoint.get("interval"));
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()), "selects the Service");

        NetworkPolicy operatorPolicy = metrics.named(NetworkPolicy.class, HelmChart.RELEASE);
        assertEquals(List.of("Ingress", "Egress"), operatorPolicy.getSpec().getPolicyTypes());
        assertTrue(metrics.operator().getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(operatorPolicy.getSpec().getPodSelector().getMatchLabels().entrySet()));
        var ingress = operatorPolicy.getSpec().getIngress();
        assertEquals(1, ingress.size());
        assertEquals("http", ingress.get(0).getPorts().get(0).getPort().getStrVal());
        assertEquals("prometheus", ingress.get(0).getFrom().get(0).getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
        List<NetworkPolicyEgressRule> egress = operatorPolicy.getSpec().getEgress();
        Set<Integer> egressPorts = egress.stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).collect(Collectors.toSet());
        assertEquals(Set.of(53, 443, 6443, 6379), egressPorts, "DNS, the API server, Redis and nothing else");
        assertTrue(egress.stream().anyMatch(r -> r.getTo() != null && r.getTo().stream()
                .anyMatch(p -> p.getIpBlock() != null && p.getIpBlock().getCidr().equals("10.96.0.1/32"))));
        NetworkPolicy redisPolicy = metrics.named(NetworkPolicy.class, REDIS);
        assertEquals("operator", redisPolicy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector()
                .getMatchLabels().get("app.kubernetes.io/component"));
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

    @Test
    void everyReconcilerRbacRuleIsGranted() {
        for (Class<?> reconciler : List.of(ClaudeSessionReconciler.class, ClaudeMessageReconciler.class)) {
            RBACRule[] rules = reconciler.getAnnotationsByType(RBACRule.class);
            assertTrue(rules.length > 0, reconciler.getSimpleName());
            for (RBACRule rule : rules) {
                for (String group : rule.apiGroups()) {
                    for (String resource : rule.resources()) {
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
    }

    @Test
    void schemaRejectsBadValues() {
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("rbac.scope", "everywhere"),
                Map.<String, Object>of("defaults.permissionMode", "yolo"), Map.<String, Object>of("defaults.timeout", "soon"),
                Map.<String, Object>of("replicaCount", 2), Map.<String, Object>of("redis.external.clientType", "swarm"))) {
            var e = assertThrows(IllegalStateException.class, () -> HelmChart.render(List.of(), bad), bad.toString());
            assertTrue(e.getMessage().contains("schema"), e.getMessage());
        }
    }

    static Set<Grant> grants(Rendered rendered) {
        List<RbacGrants.UnknownRole> unknown = new ArrayList<>();
        Set<Grant> grants = RbacGrants.of(rendered.objects(), NS, SA, unknown);
        assertEquals(List.of(), unknown, "every binding's role is in the chart");
        return grants;
    }

    static Set<Grant> inNamespace(Set<Grant> grants, String namespace) {
        return grants.stream().filter(g -> g.where().equals(namespace)).collect(Collectors.toSet());
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
