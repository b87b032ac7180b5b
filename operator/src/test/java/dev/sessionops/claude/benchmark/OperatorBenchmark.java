package dev.sessionops.claude.benchmark;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.e2e.Harness;
import dev.sessionops.claude.testing.RealControlPlane;

/**
 * The benchmark (issue 14, item 4): where the operator stands, on the real-API-server tier, next to a bare client
 * driving the same chains of Jobs on the same control plane and kubelet in the same run. Prints figures; asserts
 * none (a timing on a shared machine is no test), so it is not a test of the build: its name matches none of the
 * build's test patterns, and only the {@code benchmark} profile runs it:
 *
 * <pre>{@code ./mvnw -o verify -Pbenchmark}</pre>
 *
 * <p>Scenarios, each run by the bare client and then by the operator in a namespace of its own:
 * <ul>
 *   <li>(a) one session of {@code bench.a.messages} messages, each sent while the one before runs (two ahead, as
 *       one user would): latency at low load;</li>
 *   <li>(b) {@code bench.sessions} S sessions × {@code bench.messages} M messages at once: throughput;</li>
 *   <li>(c) the same S × M in a namespace holding {@code bench.c.idle-sessions} idle sessions and
 *       {@code bench.c.finished-messages} finished messages: what a held load costs.</li>
 * </ul>
 * Before them, a warm-up each side, not reported: one session of {@code bench.warm-up.messages} messages, then as many
 * messages again over 10 sessions at once. A running operator is warm; the figures are of that state, not of the JIT
 * compiling the first runs' code paths (before this warm-up existed, the first ten of 30 messages of (a) took ~90 ms
 * to dispatch and the last ten ~50). The pods run
 * {@link RecordedClaude}, not the real CLI, so the figures are the operator's and the control plane's. What each
 * figure is: {@link Timeline} (latencies, wall-clock milliseconds of this JVM's watches), {@link ApiAudit}
 * (requests counted at the API server), {@link RedisMonitor} (round trips), {@link OperatorFootprint}.
 */
class OperatorBenchmark {

    @Test
    void printFigures() {
        if (!RealControlPlane.binariesPresent()) {
            throw new IllegalStateException("no kube-apiserver in " + RealControlPlane.binDir()
                    + ": run scripts/k8s-test-env.sh first");
        }
        BenchmarkSettings settings = BenchmarkSettings.fromSystemProperties();
        FiguresReport report = new FiguresReport();
        report.line("claude-session-operator benchmark on " + HostDescription.describe());
        report.line("kube-apiserver, etcd, kube-controller-manager v1.20 (defaults: --kube-api-qps 20); kubelet runs "
                + settings.kubeletParallel() + " pods at once; operator JVM " + BenchmarkCluster.operatorJvmOptions());
        try (BenchmarkCluster cluster = BenchmarkCluster.start(settings);
                BareClient bare = new BareClient(cluster.bare, 16);
                OperatorWorkload workload = new OperatorWorkload(cluster.admin)) {
            ScenarioRunner runner = new ScenarioRunner(cluster, bare, workload, settings.timeout());
            long pid = cluster.operator.pid();

            String warmUp = Harness.namespace(cluster.admin, "warm-up");
            int warm = settings.warmUpMessages();
            if (warm > 0) {
                runner.bare(warmUp, Chain.of("bare-a", 1, warm));
                runner.operator(warmUp, Chain.of("a", 1, warm));
                int burst = Math.max(1, warm / 10);
                runner.bare(warmUp, Chain.of("bare-b", 10, burst));
                runner.operator(warmUp, Chain.of("b", 10, burst));
            }
            report.footprint("after the warm-up", OperatorFootprint.of(pid));

            if (settings.runs("a")) {
                String ns = Harness.namespace(cluster.admin, "low-load");
                SideFigures floor = runner.bare(ns, Chain.of("bare-", 1, settings.lowLoadMessages()));
                SideFigures figures = runner.operatorAtLowLoad(ns, Chain.of("", 1, settings.lowLoadMessages()).get(0));
                report.scenario(String.format("(a) 1 session × %d messages", settings.lowLoadMessages()), figures,
                        floor, OperatorFootprint.of(pid));
            }
            SideFigures empty = null;
            if (settings.runs("b")) {
                String ns = Harness.namespace(cluster.admin, "parallel");
                SideFigures floor = runner.bare(ns, Chain.of("bare-", settings.sessions(), settings.messages()));
                SideFigures figures = runner.operator(ns, Chain.of("", settings.sessions(), settings.messages()));
                empty = figures;
                report.scenario(String.format("(b) %d sessions × %d messages", settings.sessions(),
                        settings.messages()), figures, floor, OperatorFootprint.of(pid));
            }
            if (settings.runs("c")) {
                String ns = Harness.namespace(cluster.admin, "held");
                workload.held(ns, settings.idleSessions(), settings.finishedMessages(), settings.timeout());
                String held = String.format("%d idle sessions and %d finished messages held", settings.idleSessions(),
                        settings.finishedMessages());
                report.footprint("with " + held, OperatorFootprint.of(pid));
                SideFigures floor = runner.bare(ns, Chain.of("bare-", settings.heldSessions(), settings.heldMessages()));
                SideFigures figures = runner.operator(ns, Chain.of("", settings.heldSessions(), settings.heldMessages()));
                report.scenario(String.format("(c) %d sessions × %d messages, %s", settings.heldSessions(),
                        settings.heldMessages(), held), figures, floor, OperatorFootprint.of(pid));
                if (empty != null && settings.heldSessions() == settings.sessions()
                        && settings.heldMessages() == settings.messages()) {
                    report.heldVersusEmpty(figures, empty); // the same S × M: what the held load costs
                }
            }
        } finally {
            report.write(BenchmarkCluster.WORK.resolve("figures.txt"));
        }
    }
}
