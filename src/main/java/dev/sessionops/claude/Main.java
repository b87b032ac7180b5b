package dev.sessionops.claude;

import dev.sessionops.claude.local.LocalMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The operator's entry point. With {@code --local} (or {@code CSO_LOCAL=true}) it first starts what a cluster would
 * provide — an embedded Kubernetes API, a local executor for Jobs and a redis-server — and points the operator at
 * them; the configuration must be in place before Quarkus reads it, hence here and not in a startup bean.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        if (LocalMode.requested(args)) {
            // until Quarkus configures logging, everything would be logged, HTTP bodies (a Secret's) included
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
            LocalMode local;
            try {
                local = LocalMode.start(LocalMode.Settings.fromEnvironment());
            } catch (RuntimeException e) {
                System.err.println("Local mode could not start: " + e);
                System.exit(1);
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(local::close, "local-mode-shutdown"));
        }
        Quarkus.run(args);
    }
}
