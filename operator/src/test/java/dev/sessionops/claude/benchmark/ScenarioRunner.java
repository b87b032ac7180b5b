package dev.sessionops.claude.benchmark;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one side of a scenario and measures it: waits until the operator is quiet, marks the audit log and Redis's
 * count of commands, notes the start, starts the chains, waits until the {@link Timeline} has seen every message
 * end, lets the last writes land ({@link #SETTLE}), and marks again. The bare client and the operator go through the same steps, so their
 * figures compare.
 */
final class ScenarioRunner {
    /**
     * After the last message is recorded: the writes that follow it (the operator's session status) belong to the
     * run. Both sides wait the same.
     */
    static final Duration SETTLE = Duration.ofSeconds(2);
    /** How long the operator must have been idle before a window opens. */
    static final Duration QUIET = Duration.ofSeconds(2);

    private final BenchmarkCluster cluster;
    private final BareClient bareClient;
    private final OperatorWorkload workload;
    private final Duration timeout;

    ScenarioRunner(BenchmarkCluster cluster, BareClient bareClient, OperatorWorkload workload, Duration timeout) {
        this.cluster = cluster;
        this.bareClient = bareClient;
        this.workload = workload;
        this.timeout = timeout;
    }

    /** The floor: the bare client drives the chains (their owners and claims made first, outside the window). */
    SideFigures bare(String namespace, List<Chain> chains) {
        Map<String, String> owners = bareClient.prepare(namespace, chains);
        return measured(namespace, chains, BenchmarkCluster.BARE_USER, false,
                () -> bareClient.start(namespace, chains, owners));
    }

    /**
     * The operator runs one chain as a session whose messages arrive one by one while the one before runs
     * ({@link OperatorWorkload#trickle}, two ahead): latency at low load, without a burst of intake in the window.
     */
    SideFigures operatorAtLowLoad(String namespace, Chain chain) {
        workload.sessions(namespace, List.of(chain.session()), timeout);
        return measured(namespace, List.of(chain), BenchmarkCluster.OPERATOR_USER, true,
                () -> workload.trickle(namespace, chain, 2, cluster.timeline));
    }

    /** The operator runs the chains as sessions (made and Idle first, outside the window) and their messages. */
    SideFigures operator(String namespace, List<Chain> chains) {
        workload.sessions(namespace, chains.stream().map(Chain::session).toList(), timeout);
        return measured(namespace, chains, BenchmarkCluster.OPERATOR_USER, true, () -> {
            workload.messages(namespace, chains);
            return () -> {
            };
        });
    }

    private SideFigures measured(String namespace, List<Chain> chains, String user, boolean usesRedis,
            Supplier<AutoCloseable> start) {
        List<String> messages = Chain.allMessages(chains);
        awaitOperatorQuiet();
        long from = cluster.audit.mark();
        Map<String, Long> redisBefore = usesRedis ? cluster.redis.snapshot() : null;
        long startMs = System.currentTimeMillis();
        try (AutoCloseable run = start.get()) {
            OperatorWorkload.await(messages.size() + " messages to end in " + namespace, timeout,
                    () -> cluster.timeline.allEnded(namespace, messages));
            Thread.sleep(SETTLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        Map<String, Long> redisCalls = usesRedis ? RedisMonitor.since(redisBefore, cluster.redis.snapshot()) : null;
        ApiAudit.RequestCount requests = cluster.audit.count(user, from, cluster.audit.mark());
        writeSteps(namespace + "-" + (usesRedis ? "operator" : "bare"), chains, namespace, startMs);
        return SideFigures.of(cluster.timeline, namespace, chains, startMs, requests, redisCalls);
    }

    /**
     * Each message's times as the timeline saw them (ms from the start), to find a figure's outliers by hand next to
     * the audit log: {@code steps/<namespace>-<side>.tsv} in the benchmark's directory.
     */
    private void writeSteps(String name, List<Chain> chains, String namespace, long startMs) {
        StringBuilder tsv = new StringBuilder("message\tcreated\tcompleted\trecorded\n");
        for (Chain chain : chains) {
            for (Timeline.Step step : cluster.timeline.chain(namespace, chain.messages())) {
                tsv.append(step.message()).append('\t').append(since(startMs, step.created())).append('\t')
                        .append(since(startMs, step.completed())).append('\t').append(since(startMs, step.recorded()))
                        .append('\n');
            }
        }
        try {
            java.nio.file.Path file = BenchmarkCluster.WORK.resolve("steps").resolve(name + ".tsv");
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, tsv);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String since(long startMs, Long at) {
        return at == null ? "-" : Long.toString(at - startMs);
    }

    /**
     * Waits until the operator has made no request but its Lease renewals for {@link #QUIET}: what an earlier step
     * set off (sessions made Idle, a held load Cancelled) must not land in the next window.
     */
    private void awaitOperatorQuiet() {
        OperatorWorkload.await("the operator to be quiet", timeout, () -> {
            long from = cluster.audit.mark();
            try {
                Thread.sleep(QUIET.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            ApiAudit.RequestCount requests = cluster.audit.count(BenchmarkCluster.OPERATOR_USER, from,
                    cluster.audit.mark());
            return requests.total() == requests.resource("leases");
        });
    }
}
