package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.sessionops.claude.api.v1alpha1.Credentials;

/**
 * The packaged operator ({@code quarkus-run.jar}) as a child process of local mode: the same artifact a cluster runs,
 * configured for the embedded API. Its output is local mode's output. Plain settings go in as {@code -D}; anything
 * that may hold a secret (the Redis URL) only through its environment, which other users cannot read, never argv.
 */
final class OperatorChild implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OperatorChild.class.getName());
    /** How long a SIGTERM'd operator gets to finish (the chart's pod gets 30 s). */
    static final long STOP_GRACE_SECONDS = 20;

    private final Process process;

    private OperatorChild(Process process) {
        this.process = process;
    }

    /**
     * @param jar the packaged operator
     * @param properties its configuration, as system properties
     * @param secretEnv configuration through the environment only
     * @param parentEnv local mode's environment: the child gets it without the model credentials (the operator never
     *        needs them; they reach runs through a Secret)
     */
    static OperatorChild start(Path jar, Map<String, String> properties, Map<String, String> secretEnv,
            Map<String, String> parentEnv) {
        ProcessBuilder pb = new ProcessBuilder(command(jar, properties)).inheritIO();
        pb.environment().clear();
        pb.environment().putAll(environment(parentEnv, secretEnv));
        try {
            return new OperatorChild(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("Local mode: cannot start the operator (" + jar + ")", e);
        }
    }

    /** Local mode's environment without the model credentials, plus what only the environment may carry. */
    static Map<String, String> environment(Map<String, String> parentEnv, Map<String, String> secretEnv) {
        Map<String, String> env = new java.util.HashMap<>(parentEnv);
        Credentials.ENV_NAMES.forEach(env::remove);
        env.putAll(secretEnv);
        return env;
    }

    /** The same java that runs local mode, the jar, the settings (pure, so it can be checked for secrets). */
    static List<String> command(Path jar, Map<String, String> properties) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No packaged operator at " + jar
                    + ": build it with ./mvnw -q package -DskipTests, or name it with --operator <quarkus-run.jar>");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        return command;
    }

    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGTERM, then SIGKILL after {@link #STOP_GRACE_SECONDS}. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                LOG.warning("Local mode: the operator did not stop within " + STOP_GRACE_SECONDS + " s of SIGTERM; killing it");
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
