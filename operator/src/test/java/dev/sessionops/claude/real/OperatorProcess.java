package dev.sessionops.claude.real;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.sessionops.claude.local.Pki;
import dev.sessionops.claude.testing.Project;

/**
 * The packaged operator ({@code operator/target/quarkus-app}, prod profile, so with leader election) as a process of its own,
 * the way a cluster runs it: its own kubeconfig and identity, its log in a file the test can read. Started with
 * {@link #serving}, it serves its API over HTTPS with a certificate of its own on a free loopback port, and health,
 * metrics and OpenAPI on a free management port, as the chart's pod does on 8443 and 9000. Public for the benchmark
 * ({@code dev.sessionops.claude.benchmark}), which runs the operator the same way.
 */
public final class OperatorProcess implements AutoCloseable {
    private final String identity;
    private final Path log;
    private final Process process;
    private final int httpsPort;
    private final int managementPort;

    private OperatorProcess(String identity, Path log, Process process, int httpsPort, int managementPort) {
        this.identity = identity;
        this.log = log;
        this.process = process;
        this.httpsPort = httpsPort;
        this.managementPort = managementPort;
    }

    /** How a replica serves: the CA that issues its certificate, and the Service name the certificate is for. */
    public record Serving(Pki.Issued ca, String service, String namespace) {
        /** {@code <service>.<namespace>.svc}: the name the kube-apiserver checks when it proxies to the Service. */
        String dnsName() {
            return service + "." + namespace + ".svc";
        }
    }

    /**
     * Starts a replica that serves: a serving certificate issued by {@code serving.ca()} for
     * {@code <service>.<namespace>.svc}, {@code localhost} and {@code 127.0.0.1} (files in {@code logDir}), the HTTPS
     * API and the management interface on free ports of 127.0.0.1.
     *
     * @param systemProperties {@code -D} settings (the operator's configuration)
     * @param env environment (KUBECONFIG, Redis, …)
     */
    public static OperatorProcess serving(String identity, Path logDir, Serving serving, Map<String, String> systemProperties,
            Map<String, String> env) {
        Pki.Issued cert = Pki.server(serving.ca(), serving.dnsName(), List.of(serving.dnsName(), "localhost"),
                List.of("127.0.0.1"));
        Path tls = logDir.resolve("tls-" + identity).toAbsolutePath();
        try {
            Files.createDirectories(tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cert.write(tls.resolve("tls.crt"), tls.resolve("tls.key"));
        int https = freePort();
        int management = freePort();
        Map<String, String> properties = new LinkedHashMap<>(systemProperties);
        properties.putAll(tlsProperties(tls.resolve("tls.crt"), tls.resolve("tls.key"), https, management));
        return start(identity, logDir, properties, env, List.of(), https, management);
    }

    /**
     * The settings that make the operator serve with these files and ports, on 127.0.0.1 only (a shared machine):
     * the same keys the chart sets, as system properties.
     */
    static Map<String, String> tlsProperties(Path certFile, Path keyFile, int httpsPort, int managementPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.http.host", "127.0.0.1");
        p.put("quarkus.http.ssl-port", String.valueOf(httpsPort));
        p.put("quarkus.http.ssl.certificate.files", certFile.toAbsolutePath().toString());
        p.put("quarkus.http.ssl.certificate.key-files", keyFile.toAbsolutePath().toString());
        p.put("quarkus.management.host", "127.0.0.1");
        p.put("quarkus.management.port", String.valueOf(managementPort));
        return p;
    }

    /** A process without ports of the test's choosing (local mode decides its own). */
    static OperatorProcess start(String identity, Path logDir, Map<String, String> systemProperties, Map<String, String> env) {
        return start(identity, logDir, systemProperties, env, List.of());
    }

    static OperatorProcess start(String identity, Path logDir, Map<String, String> systemProperties, Map<String, String> env,
            List<String> args) {
        return start(identity, logDir, systemProperties, env, args, -1, -1);
    }

    /**
     * Local mode as a user starts it: {@code java -jar claude-session-local.jar}, which starts the packaged operator
     * as its child (both outputs in one log).
     */
    static OperatorProcess local(String identity, Path logDir, Map<String, String> env, String... args) {
        List<String> jarAndArgs = new ArrayList<>(List.of(Project.localJar().toString(), "--operator",
                Project.operatorJar().toString()));
        jarAndArgs.addAll(List.of(args));
        return launch(identity, logDir, Map.of(), env, jarAndArgs, -1, -1);
    }

    private static OperatorProcess start(String identity, Path logDir, Map<String, String> systemProperties,
            Map<String, String> env, List<String> args, int httpsPort, int managementPort) {
        Map<String, String> properties = new LinkedHashMap<>(systemProperties);
        properties.put("cso.leader-election.identity", identity);
        List<String> jarAndArgs = new ArrayList<>(List.of(Project.operatorJar().toString()));
        jarAndArgs.addAll(args);
        return launch(identity, logDir, properties, env, jarAndArgs, httpsPort, managementPort);
    }

    private static OperatorProcess launch(String identity, Path logDir, Map<String, String> systemProperties,
            Map<String, String> env, List<String> jarAndArgs, int httpsPort, int managementPort) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.addAll(jarAndArgs);
        Path log = logDir.resolve("operator-" + identity + ".log");
        try {
            Files.createDirectories(logDir);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return new OperatorProcess(identity, log, pb.start(), httpsPort, managementPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port on 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String identity() {
        return identity;
    }

    /** The API's HTTPS port (a replica started with {@link #serving}). */
    int httpsPort() {
        requireServing();
        return httpsPort;
    }

    /** {@code https://127.0.0.1:<port>/}: the API, bypassing the API server. */
    URI api() {
        return URI.create("https://127.0.0.1:" + httpsPort() + "/");
    }

    /** {@code http://127.0.0.1:<port>/q/}: health, metrics and OpenAPI. */
    URI management() {
        requireServing();
        return URI.create("http://127.0.0.1:" + managementPort + "/q/");
    }

    private void requireServing() {
        if (httpsPort < 0) {
            throw new IllegalStateException(identity + " was not started with ports of the test's choosing");
        }
    }

    public File logFile() {
        return log.toFile();
    }

    public String log() {
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
    public boolean isReconciling() {
        String text = log();
        return text.contains("Started event processing for controller: claudemessage")
                && text.contains("Started event processing for controller: claudesession");
    }

    /** The JVM's process id (its children: redis-server, the containers of local mode). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit code once it has ended. */
    int exitCode() {
        return process.exitValue();
    }

    /** A crash: SIGKILL, no shutdown hooks, the Lease not released. */
    public void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        waitFor();
        reap(descendants);
    }

    /**
     * SIGTERM, as a rollout or a node drain sends it; returns how long the process took to exit (at most
     * {@code patience}, after which it is killed and the result is {@code patience}).
     */
    Duration terminate(Duration patience) {
        long start = System.nanoTime();
        process.destroy();
        try {
            if (process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        return patience;
    }

    /** SIGTERM, then SIGKILL after 20 s; whatever it started (local mode's operator, redis-server) does not outlive it. */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        waitFor();
        reap(descendants);
    }

    private static void reap(List<ProcessHandle> descendants) {
        descendants.forEach(ProcessHandle::destroy);
        for (ProcessHandle child : descendants) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
