package dev.sessionops.claude.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code kubectl} on PATH ({@code scripts/install-test-deps.sh} provides one) against a given kubeconfig,
 * as a user of the real-API-server tier would. The process never outlives the call.
 */
public final class Kubectl {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /** What one run printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** For assertion messages. */
        @Override
        public String toString() {
            return "kubectl exited " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private Kubectl() {
    }

    /**
     * {@code kubectl --kubeconfig <kubeconfig> <args...>}, waiting at most {@code timeout}; a run that takes longer
     * is killed and reported as an {@link IllegalStateException} with what it printed so far.
     */
    public static Result run(Path kubeconfig, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig=" + kubeconfig.toAbsolutePath()));
        command.addAll(List.of(args));
        Path out = null;
        Path err = null;
        Process process = null;
        try {
            // files, not pipes: a chatty kubectl can never block on a full pipe nobody reads
            out = Files.createTempFile("kubectl", ".out");
            err = Files.createTempFile("kubectl", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().remove("KUBECONFIG"); // --kubeconfig alone decides
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run kubectl (" + e.getMessage()
                        + "): run scripts/install-test-deps.sh to install one", e);
            }
            process.getOutputStream().close(); // no input: a prompt reads end-of-file instead of hanging
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within "
                        + timeout.toSeconds() + " s\n--- stdout ---\n" + read(out) + "\n--- stderr ---\n" + read(err));
            }
            return new Result(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kubectl", e);
        } finally {
            if (process != null) {
                stop(process);
            }
            delete(out);
            delete(err);
        }
    }

    /** Asks the process to end, then kills it after a grace period; a no-op once it has exited. */
    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }
}
