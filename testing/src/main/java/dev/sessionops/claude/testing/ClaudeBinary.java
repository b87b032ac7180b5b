package dev.sessionops.claude.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the pinned {@code claude} CLI for tests: system property {@code claude.bin}, else env {@code CLAUDE_BIN},
 * else {@code <project root>/.tools/claude/node_modules/.bin/claude} (the project root being the nearest
 * directory above the working directory that holds a {@code pom.xml}).
 */
public final class ClaudeBinary {

    public static final String PROPERTY = "claude.bin";
    public static final String ENV = "CLAUDE_BIN";
    static final String INSTALL_HINT = "run .ci/run, or install it with "
            + "`npm install --prefix .tools/claude @anthropic-ai/claude-code@2.1.330`, or point -D" + PROPERTY
            + " / " + ENV + " at a claude executable";

    private ClaudeBinary() {
    }

    /** The executable; fails with how to install it when it is missing. */
    public static Path path() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
        }
        Path bin = configured == null || configured.isBlank()
                ? Project.root().resolve(".tools/claude/node_modules/.bin/claude")
                : Path.of(configured);
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("The claude CLI is missing: no executable at " + bin.toAbsolutePath()
                    + "; " + INSTALL_HINT);
        }
        return bin.toAbsolutePath();
    }

    /** The directory holding the executable, to put on a child process's PATH so {@code claude} resolves. */
    public static Path directory() {
        return path().getParent();
    }

    /** {@code directory()} in front of this JVM's PATH. */
    public static String pathVariable() {
        String path = System.getenv("PATH");
        return directory() + (path == null || path.isEmpty() ? "" : File.pathSeparator + path);
    }
}
