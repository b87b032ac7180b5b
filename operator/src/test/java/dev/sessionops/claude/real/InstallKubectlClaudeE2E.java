package dev.sessionops.claude.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sessionops.claude.testing.Project;

/**
 * The README's install line for {@code kubectl claude}, run as root and as a normal user (nobody, 65534, through
 * {@code setpriv}, with a home of its own), then {@code kubectl claude version} through the real kubectl. Root's PATH
 * has no {@code ~/.local/bin} (as on this machine), so it installs into the system directory (a temporary stand-in
 * for /usr/local/bin: the machine's own is not touched); a user without a directory of theirs on PATH gets
 * {@code ~/.local/bin} and the one line to add. Against the packaged build (failsafe, after {@code package}): the jar is
 * up to date, so nothing is built; a copy of the checkout with a Maven stand-in shows when and what it builds.
 */
class InstallKubectlClaudeE2E {
    private static final String NOBODY = "65534";
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private record Run(int exitCode, String out) {
    }

    private Path dir;

    @BeforeEach
    void tempDir() throws IOException {
        dir = Files.createTempDirectory("install-kubectl-claude");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The install command of the README's kubectl claude section: the first line of its first sh block. */
    static String readmeInstallLine() throws IOException {
        String readme = Files.readString(Project.path("README.md"));
        String section = readme.substring(readme.indexOf("\n## kubectl claude\n"));
        int block = section.indexOf("```sh\n") + "```sh\n".length();
        return section.substring(block, section.indexOf('\n', block)).strip();
    }

    private static Run run(Path cwd, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not end: " + command + "\n" + out);
            return new Run(p.exitValue(), out);
        } finally {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** As root, or as nobody through setpriv, with exactly this environment. */
    private static List<String> as(String uid, String... command) {
        List<String> all = new ArrayList<>();
        if (uid != null) {
            all.addAll(List.of("setpriv", "--reuid", uid, "--regid", uid, "--clear-groups", "--"));
        }
        all.addAll(List.of(command));
        return all;
    }

    private static Map<String, String> env(Path home, String path, Path systemBin) {
        return Map.of("HOME", home.toString(), "PATH", path, "KUBECTL_CLAUDE_SYSTEM_BIN", systemBin.toString(),
                "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "LANG", "C.UTF-8");
    }

    private Path home(String name, boolean nobody) throws IOException, InterruptedException {
        Path home = Files.createDirectory(dir.resolve(name));
        if (nobody) {
            assertEquals(0, run(dir, Map.of("PATH", SYSTEM_PATH), List.of("chown", NOBODY + ":" + NOBODY, home.toString()))
                    .exitCode());
        }
        return home;
    }

    @Test
    void theReadmeLineInstallsForRootAndForAUserThenKubectlFindsThePlugin() throws Exception {
        String line = readmeInstallLine();
        assertEquals("scripts/install-kubectl-claude", line, "the README's install line");
        Path checkout = Project.root();
        Path systemBin = Files.createDirectory(dir.resolve("usr-local-bin")); // root's, not writable by nobody

        // root: ~/.local/bin is not on root's PATH, the system directory is
        Path rootHome = home("root", false);
        String rootPath = systemBin + ":" + SYSTEM_PATH;
        Run root = run(checkout, env(rootHome, rootPath, systemBin), as(null, "bash", "-c", line));
        assertEquals(0, root.exitCode(), root.out());
        assertFalse(root.out().contains("building"), "the packaged jar is up to date: " + root.out());
        assertTrue(Files.isSymbolicLink(systemBin.resolve("kubectl-claude")), root.out());
        assertFalse(root.out().contains("export PATH"), root.out());
        Run rootVersion = run(rootHome, env(rootHome, rootPath, systemBin), as(null, "kubectl", "claude", "version"));
        assertEquals(0, rootVersion.exitCode(), rootVersion.out());
        assertTrue(rootVersion.out().startsWith("kubectl-claude 0.1.0-SNAPSHOT"), rootVersion.out());

        // a user with nothing of theirs on PATH: ~/.local/bin, and the line to add
        Path userHome = home("nobody", true);
        Run user = run(checkout, env(userHome, SYSTEM_PATH + ":" + systemBin, systemBin), as(NOBODY, "bash", "-c", line));
        assertEquals(0, user.exitCode(), user.out());
        Path userBin = userHome.resolve(".local/bin");
        assertTrue(Files.isSymbolicLink(userBin.resolve("kubectl-claude")), user.out());
        assertTrue(user.out().contains("\n  export PATH=\"" + userBin + ":$PATH\"\n"), user.out());
        String userPath = userBin + ":" + SYSTEM_PATH;
        Run userVersion = run(userHome, env(userHome, userPath, systemBin), as(NOBODY, "kubectl", "claude", "version"));
        assertEquals(0, userVersion.exitCode(), userVersion.out());
        assertTrue(userVersion.out().startsWith("kubectl-claude 0.1.0-SNAPSHOT"), userVersion.out());
        assertTrue(Files.isDirectory(userHome.resolve(".cache/kubectl-claude")), "its start-up archive is the user's own");

        // the same user with ~/.local/bin on PATH: installed there, nothing to add
        Run again = run(checkout, env(userHome, userPath, systemBin), as(NOBODY, "bash", "-c", line));
        assertEquals(0, again.exitCode(), again.out());
        assertFalse(again.out().contains("export PATH"), again.out());
    }

    /** A copy of what the script reads, with a Maven stand-in that records its arguments and makes the jar. */
    @Test
    void itBuildsOnlyThePluginAndOnlyWhenTheJarIsMissingOrOlderThanItsSources() throws Exception {
        Path copy = Files.createDirectory(dir.resolve("checkout"));
        for (String part : new String[] {"pom.xml", "api/pom.xml", "api/src", "kubectl-claude/pom.xml", "kubectl-claude/src",
                "scripts/kubectl-claude", "scripts/install-kubectl-claude"}) {
            Files.createDirectories(copy.resolve(part).getParent());
            assertEquals(0, run(dir, Map.of("PATH", SYSTEM_PATH), List.of("cp", "-a", Project.path(part).toString(),
                    copy.resolve(part).toString())).exitCode());
        }
        Path jar = copy.resolve("kubectl-claude/target/kubectl-claude.jar");
        Path calls = dir.resolve("mvnw-calls");
        Files.writeString(copy.resolve("mvnw"), """
                #!/bin/sh
                echo "$*" >> %s
                mkdir -p kubectl-claude/target && cp %s kubectl-claude/target/kubectl-claude.jar
                """.formatted(calls, Project.pluginJar()));
        copy.resolve("mvnw").toFile().setExecutable(true);
        Path home = home("home", false);
        Map<String, String> env = env(home, home.resolve(".local/bin") + ":" + SYSTEM_PATH, dir.resolve("none"));
        List<String> install = List.of("scripts/install-kubectl-claude");

        Run missing = run(copy, env, install);
        assertEquals(0, missing.exitCode(), missing.out());
        assertTrue(missing.out().startsWith("building the kubectl claude plugin (no build yet)"), missing.out());
        assertEquals(List.of("-q package -DskipTests -pl kubectl-claude -am"), Files.readAllLines(calls));

        Run upToDate = run(copy, env, install);
        assertEquals(0, upToDate.exitCode(), upToDate.out());
        assertFalse(upToDate.out().contains("building"), upToDate.out());
        assertEquals(1, Files.readAllLines(calls).size());

        Path source = copy.resolve("api/pom.xml");
        Files.setLastModifiedTime(source, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        Run changed = run(copy, env, install);
        assertEquals(0, changed.exitCode(), changed.out());
        assertTrue(changed.out().startsWith("building the kubectl claude plugin (api/pom.xml changed)"), changed.out());
        assertEquals(2, Files.readAllLines(calls).size());
    }
}
