package dev.sessionops.claude.real;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code target/quarkus-app}, prod profile, so with leader election) as a process of its own,
 * the way a cluster runs it: its own kubeconfig and identity, its log in a file the test can read.
 */
final class OperatorProcess implements AutoCloseable {
    private final String identity;
    private final Path log;
    private final Process process;

    private OperatorProcess(String identity, Path log, Process process) {
        this.identity = identity;
        this.log = log;
        this.process = process;
    }

    /**
     * @param systemProperties {@code -D} settings (the operator's configuration)
     * @param env environment (KUBECONFIG, Redis, …)
     */
    static OperatorProcess start(String identity, Path logDir, Map<String, String> systemProperties, Map<String, String> env) {
        return start(identity, logDir, systemProperties, env, List.of());
    }

    static OperatorProcess start(String identity, Path logDir, Map<String, String> systemProperties, Map<String, String> env,
            List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dcso.leader-election.identity=" + identity);
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        command.addAll(args);
        Path log = logDir.resolve("operator-" + identity + ".log");
        try {
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return new OperatorProcess(identity, log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String identity() {
        return identity;
    }

    File logFile() {
        return log.toFile();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * True once both controllers process events. Every replica starts its informers (a warm cache for a quick
     * takeover); only the leader starts event processing, so only the leader reconciles.
     */
    boolean isReconciling() {
        String text = log();
        return text.contains("Started event processing for controller: claudemessage")
                && text.contains("Started event processing for controller: claudesession");
    }

    /** The JVM's process id (its children: redis-server, the containers of local mode). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** A crash: SIGKILL, no shutdown hooks, the Lease not released. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
