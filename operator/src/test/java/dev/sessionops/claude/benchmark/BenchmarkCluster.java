package dev.sessionops.claude.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.sessionops.claude.local.LocalKubelet;
import dev.sessionops.claude.local.RealKubelet;
import dev.sessionops.claude.local.RedisServer;
import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.real.ClusterInstall;
import dev.sessionops.claude.real.OperatorProcess;
import dev.sessionops.claude.testing.RealControlPlane;
import dev.sessionops.claude.testing.TestPki;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Everything the benchmark runs on, on this machine: the real-API-server tier's control plane (kube-apiserver with an
 * audit log of the two clients measured, etcd, kube-controller-manager with the Job controller), its kubelet running
 * pods with the {@link RecordedClaude} stand-in first on PATH, Redis (and its {@link RedisMonitor}), the CRDs, and the packaged operator as a
 * process of its own, running as its ServiceAccount with the generated RBAC and the chart's heap sizing; plus the
 * bare client's ServiceAccount and the {@link Timeline} that watches them both.
 *
 * <p>{@link #close()} stops every process started here, in reverse order (the operator gets SIGTERM, then SIGKILL
 * after 20 s; the control plane's processes after 10 s); a JVM shutdown hook does the same if the benchmark is
 * interrupted before.
 */
final class BenchmarkCluster implements AutoCloseable {
    static final Path WORK = Path.of("target/benchmark");
    static final String OPERATOR_NS = "cso-system";
    static final String OPERATOR_SA = "claude-session-operator";
    static final String OPERATOR_USER = "system:serviceaccount:" + OPERATOR_NS + ":" + OPERATOR_SA;
    static final String BARE_NS = "cso-benchmark";
    static final String BARE_SA = "bare-client";
    static final String BARE_USER = "system:serviceaccount:" + BARE_NS + ":" + BARE_SA;
    /**
     * The JVM the chart's container runs: its 512 Mi memory limit (here told by MaxRAM, there read from the cgroup),
     * the heap share and the JVM flags of the chart's values ({@code jvmMaxRamPercentage}, {@code jvmOptions}: read
     * from its values.yaml, so the benchmark measures whatever the chart ships), and what the image's run-java.sh adds
     * to every start (its GC_MIN/MAX_HEAP_FREE_RATIO defaults, exit on OOM).
     */
    static final String OPERATOR_JVM_OPTIONS = "-XX:MaxRAM=512m -XX:MaxRAMPercentage=" + chartValue("jvmMaxRamPercentage")
            + " " + chartValue("jvmOptions") + " -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:+ExitOnOutOfMemoryError";

    /** A top-level scalar of the chart's values.yaml ({@code key: value} or {@code key: "value"}). */
    private static String chartValue(String key) {
        Path values = Path.of("..", "helm", "claude-session-operator", "values.yaml");
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + key + ":\\s*\"?([^\"\\n]*?)\"?\\s*$")
                    .matcher(java.nio.file.Files.readString(values));
            if (!m.find()) {
                throw new IllegalStateException("no " + key + " in " + values.toAbsolutePath());
            }
            return m.group(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The chart's sizing, plus {@code bench.operator.jvm-options} (e.g. {@code -Xlog:gc:file=…}) to look inside. */
    static String operatorJvmOptions() {
        String extra = System.getProperty("bench.operator.jvm-options", "").trim();
        return extra.isEmpty() ? OPERATOR_JVM_OPTIONS : OPERATOR_JVM_OPTIONS + " " + extra;
    }

    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::close, "benchmark-shutdown");
    final ApiAudit audit;
    RealControlPlane controlPlane;
    KubernetesClient admin;
    KubernetesClient bare;
    RedisMonitor redis;
    OperatorProcess operator;
    Timeline timeline;

    private BenchmarkCluster() {
        audit = ApiAudit.of(WORK.resolve("audit"), List.of(OPERATOR_USER, BARE_USER));
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts it all and waits until the operator reconciles; on failure stops what did start. */
    static BenchmarkCluster start(BenchmarkSettings settings) {
        BenchmarkCluster cluster = new BenchmarkCluster();
        try {
            cluster.startAll(settings);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(BenchmarkSettings settings) {
        RealControlPlane.Builder builder = RealControlPlane.builder().logRoot(WORK.resolve("control-plane"))
                .apiServerArg(RealKubelet.API_SERVER_ARG);
        audit.apiServerArgs().forEach(builder::apiServerArg);
        controlPlane = keep(builder.start());
        admin = controlPlane.adminClient();
        RedisServer redisServer = keep(RedisServer.startOnFreePort());
        redis = keep(RedisMonitor.start(redisServer.uri()));
        Path claude = RecordedClaude.install(WORK.resolve("claude"));
        keep(RealKubelet.start(admin, LocalKubelet.Options.defaults().withPath(claude)
                .withMaxParallel(settings.kubeletParallel()).withKillGracePeriod(Harness.STOP_GRACE)));
        ClusterInstall.crds(admin);
        namespace(OPERATOR_NS);
        ClusterInstall.generatedRbac(admin, OPERATOR_NS);
        bare = keep(controlPlane.newClient(bareClientToken()));
        timeline = keep(new Timeline(admin));
        String token = controlPlane.serviceAccountToken(OPERATOR_NS, OPERATOR_SA);
        Path kubeconfig = controlPlane.kubeconfig(WORK.resolve("operator.kubeconfig"), token, "operator");
        operator = keep(OperatorProcess.serving("benchmark", WORK,
                new OperatorProcess.Serving(TestPki.SERVING_CA, OPERATOR_SA, OPERATOR_NS), Map.of(), Map.of(
                        "KUBECONFIG", kubeconfig.toAbsolutePath().toString(),
                        "QUARKUS_REDIS_HOSTS", redisServer.uri(),
                        "CSO_DEFAULTS_CREDENTIALS_SECRET", Harness.SECRET,
                        "CSO_LEADER_ELECTION_LEASE_NAMESPACE", OPERATOR_NS,
                        "JAVA_TOOL_OPTIONS", operatorJvmOptions())));
        OperatorWorkload.await("the operator to reconcile (log: " + operator.logFile() + ")", Duration.ofMinutes(3), () -> {
            if (!operator.isAlive()) {
                throw new IllegalStateException("the operator exited:\n" + operator.log());
            }
            return operator.isReconciling();
        });
    }

    /** The bare client: a ServiceAccount of its own (its requests counted apart), bound to cluster-admin. */
    private String bareClientToken() {
        namespace(BARE_NS);
        admin.serviceAccounts().inNamespace(BARE_NS).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName(BARE_SA).endMetadata().build()).create();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("cso-benchmark-bare-client").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("cluster-admin").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(BARE_SA).withNamespace(BARE_NS).endSubject()
                .build()).create();
        return controlPlane.serviceAccountToken(BARE_NS, BARE_SA);
    }

    private void namespace(String name) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        synchronized (started) {
            started.add(resource);
        }
        return resource;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook
        }
        List<AutoCloseable> reversed;
        synchronized (started) {
            reversed = new ArrayList<>(started);
        }
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("closing " + resource + ": " + e);
            }
        }
    }
}
