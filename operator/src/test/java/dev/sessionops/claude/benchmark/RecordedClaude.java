package dev.sessionops.claude.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A stand-in for the {@code claude} CLI, <b>for the benchmark only</b>: an executable {@code claude} script that
 * answers at once with a recorded stream-json transcript, put first on the kubelet's PATH. The real CLI takes about a
 * second of Node start-up and API round trips per run; with it the benchmark would mostly measure the CLI, and
 * here it measures the operator (and the control plane under it). Tests of behaviour run the real CLI.
 *
 * <p>The transcript, {@code src/test/resources/benchmark/claude-turn.jsonl}, was recorded once from the pinned CLI
 * (2.1.330) against {@code FakeAnthropicApi}, as {@code fixtures/stream-json/capture.sh} records its fixtures:
 * {@code claude -p --output-format=stream-json --verbose -- "Benchmark turn" </dev/null}. It holds the
 * {@code system/init}, {@code assistant} and {@code result} lines with {@code session_id}, {@code total_cost_usd}
 * and {@code usage}: what the operator parses and records for a run.
 *
 * <p>The script ignores its arguments. It reads its stdin only when that is a file (newer operators hand the CLI
 * its prompt as a file on stdin), never a pipe: the test kubelet leaves a container's stdin an open pipe, which
 * would block a reader for ever.
 */
final class RecordedClaude {
    static final String TRANSCRIPT_RESOURCE = "/benchmark/claude-turn.jsonl";

    private RecordedClaude() {
    }

    /**
     * Writes the transcript and the {@code claude} script under {@code dir} (readable by the pods' uid 1000).
     *
     * @return the directory holding {@code claude}, to put first on the kubelet's PATH
     */
    static Path install(Path dir) {
        try {
            Path bin = Files.createDirectories(dir.toAbsolutePath().resolve("bin"));
            Path transcript = dir.toAbsolutePath().resolve("claude-turn.jsonl");
            try (InputStream in = RecordedClaude.class.getResourceAsStream(TRANSCRIPT_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + TRANSCRIPT_RESOURCE);
                }
                Files.write(transcript, in.readAllBytes());
            }
            Files.setPosixFilePermissions(transcript, PosixFilePermissions.fromString("rw-r--r--"));
            Path script = bin.resolve("claude");
            Files.writeString(script, "#!/bin/sh\n"
                    + "# the benchmark's stand-in for the claude CLI: a recorded run, at once (see RecordedClaude)\n"
                    + "if [ -f /dev/stdin ]; then cat >/dev/null; fi\n"
                    + "exec cat '" + transcript + "'\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
