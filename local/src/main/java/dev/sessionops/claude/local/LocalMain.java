package dev.sessionops.claude.local;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar claude-session-local.jar [--port N] [--home DIR] [--operator <quarkus-run.jar>]} ({@link LocalArgs}):
 * starts what a cluster would provide, then
 * the packaged operator against it; stops everything when the operator ends or on SIGTERM/Ctrl-C, and exits with the
 * operator's exit code.
 */
public final class LocalMain {
    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private LocalMain() {
    }

    public static void main(String... args) throws InterruptedException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s [%3$s] %5$s%6$s%n");
        // the embedded API logs every request (bodies too, a Secret's among them) at INFO
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        LocalMode.Settings settings;
        try {
            LocalArgs parsed = LocalArgs.parse(List.of(args));
            if (parsed.help()) {
                System.out.println(LocalArgs.USAGE);
                return;
            }
            settings = LocalMode.Settings.fromEnvironment(parsed.operatorJar() != null ? parsed.operatorJar()
                    : operatorJar(), parsed.home(), parsed.port());
        } catch (RuntimeException e) {
            System.err.println("claude-session-local: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<Prerequisites.Finding> findings = Prerequisites.check(settings);
        findings.forEach(f -> System.err.println("claude-session-local: " + (f.fatal() ? "" : "warning: ") + f.text()));
        if (findings.stream().anyMatch(Prerequisites.Finding::fatal)) {
            System.exit(1);
            return;
        }
        LocalMode local;
        try {
            local = LocalMode.start(settings);
        } catch (RuntimeException e) {
            System.err.println("Local mode could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Thread shutdown = new Thread(local::close, "local-mode-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        int exit = local.awaitOperator();
        System.exit(exit); // the hook stops the rest
    }

    /**
     * Without {@code --operator}: {@code CSO_OPERATOR_JAR}, else the operator module's build next to this jar's
     * module in the checkout ({@code local/target/…} → {@code operator/target/quarkus-app/quarkus-run.jar}), else the
     * same below the working directory.
     */
    static Path operatorJar() {
        String configured = System.getenv("CSO_OPERATOR_JAR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path inCheckout = Path.of("operator", "target", "quarkus-app", "quarkus-run.jar");
        try {
            Path self = Path.of(LocalMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // local/target/claude-session-local.jar (or local/target/classes) → the checkout's root
            Path root = self.getParent() == null || self.getParent().getParent() == null ? null
                    : self.getParent().getParent().getParent();
            if (root != null && Files.isRegularFile(root.resolve(inCheckout))) {
                return root.resolve(inCheckout);
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the working directory
        }
        return inCheckout.toAbsolutePath();
    }
}
