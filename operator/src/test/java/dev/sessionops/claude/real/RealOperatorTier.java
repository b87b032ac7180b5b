package dev.sessionops.claude.real;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.sessionops.claude.api.wire.ApiPaths;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.e2e.Tier;
import dev.sessionops.claude.local.LocalKubelet;
import dev.sessionops.claude.local.RealKubelet;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.testing.ClaudeBinary;
import dev.sessionops.claude.testing.FakeAnthropicApi;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.testing.StandaloneRedis;
import dev.sessionops.claude.testing.TestPki;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The real-API-server tier's environment, started once per test JVM and shared by the classes that declare
 * {@code @ExtendWith(RealOperatorTier.Shared.class)} and take it as a {@code @BeforeAll} parameter: a real
 * kube-apiserver, etcd and kube-controller-manager ({@link RealControlPlane}), {@link RealKubelet} running the Job
 * controller's Pods (the real claude CLI against the fake Anthropic API), Redis, the CRDs, and the packaged operator
 * (target/quarkus-app) running as a ServiceAccount bound to exactly the RBAC the build generates. Starting all that
 * is most of the tier's time, hence one for all. Every replica serves its API over HTTPS with a certificate issued by
 * {@link TestPki#SERVING_CA} for the operator's Service, and health and metrics on a management port of its own.
 * Closed (every process stopped) when the test run ends, also when a test failed.
 */
final class RealOperatorTier implements AutoCloseable {
    static final String OPERATOR_NS = "cso-system";
    /** The operator's Service (its serving certificate's name, the APIService's backend). */
    static final String SERVICE = "claude-session-operator";
    static final Path WORK = Path.of("target/real-control-plane");
    static final OperatorProcess.Serving SERVING = new OperatorProcess.Serving(TestPki.SERVING_CA, SERVICE, OPERATOR_NS);

    final RealControlPlane cluster;
    final KubernetesClient admin;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<OperatorProcess> operators = new ArrayList<>();
    RealKubelet kubelet;
    FakeAnthropicApi api;
    RedisServer redis;
    StandaloneRedis history;
    KubernetesClient asOperator;
    Path kubeconfig;
    Tier tier;
    private OperatorProcess leader;
    private int apiServicePort = -1;

    /** If the JVM is ended before the run closes the tier, the replicas do not outlive it (the control plane has its own). */
    private final Thread shutdownHook = new Thread(() -> operators().forEach(OperatorProcess::kill), "real-operator-tier-shutdown");

    private RealOperatorTier(RealControlPlane cluster) {
        this.cluster = cluster;
        this.admin = cluster.adminClient();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Resolves a {@link RealOperatorTier} parameter: the one of this test run, started on first use. */
    static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == RealOperatorTier.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            // the root store closes it (an AutoCloseable) when the whole run ends
            return context.getRoot().getStore(ExtensionContext.Namespace.create(RealOperatorTier.class))
                    .computeIfAbsent(RealOperatorTier.class, k -> RealOperatorTier.start(), RealOperatorTier.class);
        }
    }

    static RealOperatorTier start() {
        RealControlPlane cluster = RealControlPlane.builder().apiServerArg(RealKubelet.API_SERVER_ARG).start();
        RealOperatorTier tier = new RealOperatorTier(cluster);
        try {
            tier.startRest();
            return tier;
        } catch (Exception | Error e) {
            tier.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private void startRest() throws Exception {
        redis = keep(RedisServer.startOnFreePort());
        history = keep(new StandaloneRedis(redis.uri()));
        api = keep(new FakeAnthropicApi().start());
        kubelet = keep(RealKubelet.start(admin, LocalKubelet.Options.defaults().withPath(ClaudeBinary.directory())
                .withKillGracePeriod(Harness.STOP_GRACE)));
        ClusterInstall.crds(admin);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NS).endMetadata().build()).create();
        ClusterInstall.generatedRbac(admin, OPERATOR_NS);
        String token = cluster.serviceAccountToken(OPERATOR_NS, "claude-session-operator");
        asOperator = keep(cluster.newClient(token));
        kubeconfig = cluster.kubeconfig(WORK.resolve("operator.kubeconfig"), token, "operator");
        leader = startOperator("first");
        tier = new Tier("real", admin, kubelet, history.history(), api);
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    /** The replica that reconciles (the first, until a test makes another take over). */
    OperatorProcess leader() {
        return leader;
    }

    /** After a takeover: {@code replica} is the one that reconciles now. */
    void leaderIs(OperatorProcess replica) {
        leader = replica;
    }

    List<OperatorProcess> operators() {
        synchronized (operators) {
            return List.copyOf(operators);
        }
    }

    /**
     * A replica of the packaged operator; the short Lease makes a takeover after a crash quick. It logs every API
     * request (raw request line and status) so a test can tell which requests reached it and as what.
     */
    OperatorProcess startOperator(String identity) {
        return startOperator(identity, Map.of());
    }

    /** A replica with these settings on top of the tier's. */
    OperatorProcess startOperator(String identity, Map<String, String> settings) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("cso.defaults.env.ANTHROPIC_BASE_URL", api.baseUrl());
        properties.put("cso.leader-election.lease-duration", "6s");
        properties.put("cso.leader-election.renew-deadline", "4s");
        properties.put("cso.leader-election.retry-period", "1s");
        properties.put("quarkus.http.access-log.enabled", "true");
        properties.put("quarkus.http.access-log.pattern", ACCESS_LOG_PREFIX + "\"%r\" %s");
        properties.putAll(settings);
        OperatorProcess p = OperatorProcess.serving(identity, WORK, SERVING, properties, Map.of(
                "KUBECONFIG", kubeconfig.toAbsolutePath().toString(),
                "QUARKUS_REDIS_HOSTS", redis.uri(),
                "CSO_DEFAULTS_CREDENTIALS_SECRET", Harness.SECRET,
                "CSO_LEADER_ELECTION_LEASE_NAMESPACE", OPERATOR_NS));
        synchronized (operators) {
            operators.add(p);
        }
        return p;
    }

    /**
     * Makes {@code replica} the leader: the current leader is SIGKILLed (no Lease handed back, as in a crash) and
     * the replica takes the Lease once it expires.
     */
    void crashLeaderInFavourOf(OperatorProcess replica) {
        leader.kill();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (!replica.isAlive()) {
                throw new AssertionError(replica.identity() + " exited:\n" + replica.log());
            }
            return replica.isReconciling();
        });
        leader = replica;
    }

    /**
     * Takes a dead replica out of {@link #operators()} (its log is no longer checked), still closed with the tier.
     * For a replica a test made fail on purpose (RBAC taken away).
     */
    void retire(OperatorProcess replica) {
        synchronized (operators) {
            operators.remove(replica);
        }
        resources.add(replica);
    }

    /** What starts each access-log line of the operator ({@link #startOperator}). */
    static final String ACCESS_LOG_PREFIX = "api-access ";

    /**
     * Makes the API server serve {@code api.claude.sessionops.dev/v1alpha1} from the leader: the APIService of the
     * chart, its Service an ExternalName for localhost at the leader's HTTPS port, its caBundle the CA of the
     * replicas' serving certificates. Once per leader (a takeover moves it).
     *
     * @return the replica the API server proxies to
     */
    synchronized OperatorProcess routeApiServiceToLeader() {
        // a takeover test that failed half-way may have left the leader dead: any live replica serves the API
        OperatorProcess target = leader.isAlive() ? leader
                : operators().stream().filter(OperatorProcess::isAlive).reduce((a, b) -> b).orElse(leader);
        if (apiServicePort == target.httpsPort()) {
            return target;
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (!target.isAlive()) {
                throw new AssertionError(target.identity() + " exited:\n" + target.log());
            }
            return target.log().contains("started in");
        });
        cluster.registerApiService(ApiPaths.GROUP, ApiPaths.VERSION, OPERATOR_NS, SERVICE, target.httpsPort(),
                TestPki.SERVING_CA.certPem());
        apiServicePort = target.httpsPort();
        return target;
    }

    /**
     * Every API call each replica made was allowed by its generated RBAC (a namespace's ResourceQuota refusing a Job
     * is a 403 too, but the namespace's, not RBAC's).
     */
    void assertOperatorsWereNeverForbidden() {
        for (OperatorProcess p : operators()) {
            String log = p.log();
            assertFalse(log.lines().anyMatch(l -> (l.contains("Forbidden") || l.contains("forbidden"))
                    && !l.contains("quota")), p.identity() + " log:\n" + log);
        }
    }

    String leaseHolder() {
        Lease lease = admin.leases().inNamespace(OPERATOR_NS).withName("claude-session-operator").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The stream-json lines of a pod log. */
    static List<String> eventLines(String log) {
        var json = new ObjectMapper();
        return log.lines().filter(l -> {
            try {
                return l.startsWith("{") && json.readTree(l).path("type").isTextual();
            } catch (java.io.IOException e) {
                return false;
            }
        }).toList();
    }

    /** The data of every entry of a message's event stream (its Redis Stream {@code key}), oldest first. */
    List<String> streamData(String key) {
        List<String> data = new ArrayList<>();
        for (var entry : history.dataSource().execute("XRANGE", key, "-", "+")) {
            var fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("data".equals(fields.get(i).toString())) {
                    data.add(fields.get(i + 1).toString());
                }
            }
        }
        return data;
    }

    /** Stops every replica, then the kubelet, the fake API, Redis and the control plane. */
    @Override
    public void close() {
        operators().forEach(OperatorProcess::close);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        reversed.add(cluster);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }
}
