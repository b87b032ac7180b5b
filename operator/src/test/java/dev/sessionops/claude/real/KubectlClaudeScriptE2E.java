package dev.sessionops.claude.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.sessionops.claude.testing.Project;

/**
 * The installed form of the plugin: {@code scripts/kubectl-claude} run as a process, through a symlink as the README
 * installs it, against the packaged build ({@code target/quarkus-app}, hence failsafe, after {@code package}). Shows
 * that the script's class path finds the CLI and its dependencies, and that it keeps one class-data sharing archive per
 * build; the start-up time is printed, not asserted (CPU is shared here).
 */
class KubectlClaudeScriptE2E {

    private record Run(int exitCode, String out, long millis) {
    }

    /** The script's start-up archive goes here, not into the user's cache. */
    private static Path cache;

    private static Run run(Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // the java that runs the tests, whatever is first on PATH
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl-claude did not end: " + out);
        return new Run(p.exitValue(), out, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void helpAndVersionRunFromThePackagedBuildThroughASymlink() throws Exception {
        Path bin = Files.createTempDirectory("kubectl-claude-bin");
        cache = Files.createTempDirectory("kubectl-claude-cache");
        Path link = Files.createSymbolicLink(bin.resolve("kubectl-claude"), Project.path("scripts", "kubectl-claude"));
        try {
            Run help = run(link, "--help");
            assertEquals(0, help.exitCode(), help.out());
            assertTrue(help.out().startsWith("Usage: kubectl claude"), help.out());
            for (String command : new String[] {"run", "session", "logs", "wait", "version"}) {
                assertTrue(help.out().contains("\n  " + command + " "), command + " missing from\n" + help.out());
            }
            Run version = run(link, "version");
            assertEquals(0, version.exitCode(), version.out());
            assertTrue(version.out().matches("(?s)kubectl-claude \\S+ \\(Java .*\\)\nstartup: \\d+ ms\n"), version.out());
            assertTrue(version.out().startsWith("kubectl-claude 0.1.0-SNAPSHOT"), "the packaged jar's version: " + version.out());
            System.out.println("kubectl-claude --help took " + help.millis() + " ms; version: " + version.millis()
                    + " ms wall clock, " + version.out().lines().toList().get(1) + " in the JVM");

            // the first call made the class-data sharing archive for this jar and java; the next ones use it
            List<Path> archives;
            try (var files = Files.list(cache.resolve("kubectl-claude"))) {
                archives = files.toList();
            }
            assertEquals(1, archives.size(), archives.toString());
            assertTrue(archives.get(0).getFileName().toString().matches("kubectl-claude-[0-9-]+\\.jsa"), archives.toString());
            Run again = run(link, "version");
            assertEquals(version.out().lines().findFirst(), again.out().lines().findFirst(), again.out());
            try (var files = Files.list(cache.resolve("kubectl-claude"))) {
                assertEquals(archives, files.toList(), "reused, not made again");
            }

            Run usage = run(link, "session", "show");
            assertEquals(2, usage.exitCode(), usage.out());
            assertTrue(usage.out().contains("Missing required parameter: 'NAME'"), usage.out());
            assertEquals(1, usage.out().lines().count(), "one line, not the whole usage: " + usage.out());
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(bin);
            try (var files = Files.walk(cache)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
