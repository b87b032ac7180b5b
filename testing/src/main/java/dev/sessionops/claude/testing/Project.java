package dev.sessionops.claude.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are in the checkout, whichever module's directory a test runs in: the top-level files (crds/, helm/,
 * deploy/, scripts/) and the packaged programs of the other modules.
 */
public final class Project {
    private Project() {
    }

    /** The checkout's root: the nearest directory up from the working directory that holds {@code mvnw}. */
    public static Path root() {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("operator"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No checkout (mvnw next to operator/) in " + cwd + " or above");
    }

    /** A path below the root, such as {@code path("crds")}. */
    public static Path path(String first, String... more) {
        return root().resolve(Path.of(first, more));
    }

    /** The packaged operator, {@code operator/target/quarkus-app/quarkus-run.jar} (built by the operator module). */
    public static Path operatorJar() {
        return path("operator", "target", "quarkus-app", "quarkus-run.jar");
    }

    /** What the operator's build generated: CRDs and RBAC ({@code operator/target/kubernetes}). */
    public static Path generated(String file) {
        return path("operator", "target", "kubernetes", file);
    }

    /** Local mode's runnable jar ({@code local/target/claude-session-local.jar}). */
    public static Path localJar() {
        return path("local", "target", "claude-session-local.jar");
    }

    /** The plugin's runnable jar ({@code kubectl-claude/target/kubectl-claude.jar}). */
    public static Path pluginJar() {
        return path("kubectl-claude", "target", "kubectl-claude.jar");
    }
}
