package dev.sessionops.claude.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/** What both test kubelets need around their threads and temp dirs. */
final class KubeletThreads {
    private static final Logger LOG = Logger.getLogger(KubeletThreads.class.getName());

    private KubeletThreads() {
    }

    /** Daemon threads, so a test JVM never waits for a kubelet that was not closed. */
    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Runs the task and logs what it throws, unless the kubelet is closing (then failures are expected). */
    static Runnable logged(String kubelet, Runnable task, BooleanSupplier closed) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                if (!closed.getAsBoolean()) {
                    LOG.log(Level.SEVERE, kubelet + " task failed", e);
                }
            }
        };
    }

    static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.FINE, "leaving " + root, e);
        }
    }
}
